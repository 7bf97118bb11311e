package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ProviderException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream seen as a blocking call that ends at its first token. {@code chat} opens the stream and returns as
 * soon as the first event of the answer has been passed to the caller's handler (which travels in the call's
 * options, {@link #options}); a failure before that is thrown, like a blocking call's. So the blocking decorators
 * stacked above it (retry, rate limit, fallback with its circuit breakers) treat a stream that has not yet begun
 * exactly as they treat a blocking call, while the rest of a begun stream flows straight to the caller, whose
 * errors from then on go to the handler and are never retried: what the caller has seen cannot be taken back.
 *
 * <p>An attempt given up while waiting (an interrupt) is abandoned: whatever its stream delivers later is dropped,
 * so the caller never hears from an attempt that was already reported as failed.
 */
public final class FirstTokenChatModel extends WrappingModel implements ChatModel {

    /** What {@code chat} returns once a stream has begun: no text and no usage yet (the stream has them). */
    private static final ChatResponse BEGUN = ChatResponse.builder().aiMessage(AiMessage.from("")).build();

    private final StreamingChatModel delegate;

    public FirstTokenChatModel(StreamingChatModel delegate) {
        super(delegate);
        this.delegate = delegate;
    }

    /** {@code base} carrying {@code handler}, the caller's handler that each attempt's stream is passed to. */
    public static ChatRequestOptions options(ChatRequestOptions base, StreamingChatResponseHandler handler) {
        Map<Object, Object> attributes = new LinkedHashMap<>(base.listenerAttributes());
        attributes.put(Handler.class, new Handler(handler));
        return ChatRequestOptions.builder().listenerAttributes(attributes).build();
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        if (!(options.listenerAttributes().get(Handler.class) instanceof Handler(var caller))) {
            throw new IllegalArgumentException("a stream's first-token call needs the caller's handler in its options");
        }
        Attempt attempt = new Attempt(caller);
        delegate.chat(request, options, attempt);
        return attempt.awaitStart();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        throw new IllegalArgumentException("a stream's first-token call needs the caller's handler in its options");
    }

    /** The caller's handler as a listener attribute; a record, so that listeners printing attributes stay short. */
    private record Handler(StreamingChatResponseHandler handler) {}

    /** One attempt's stream: held until it begins, then passed on; an error before that ends the wait instead. */
    private static final class Attempt extends ForwardingStreamingHandler {
        private static final int WAITING = 0, STREAMING = 1, FAILED = 2, ABANDONED = 3;

        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final CompletableFuture<ChatResponse> begun = new CompletableFuture<>();

        Attempt(StreamingChatResponseHandler caller) {
            super(caller);
        }

        /** The first event of the answer begins the stream; an abandoned or failed attempt passes nothing. */
        @Override
        protected boolean pass() {
            if (state.get() == STREAMING) return true;
            if (!state.compareAndSet(WAITING, STREAMING)) return false;
            begun.complete(BEGUN);
            return true;
        }

        @Override
        public void onError(Throwable error) {
            if (state.get() == STREAMING) handler.onError(error);
            else if (state.compareAndSet(WAITING, FAILED)) begun.completeExceptionally(error);
        }

        ChatResponse awaitStart() {
            try {
                return begun.get();
            } catch (InterruptedException e) {
                if (!state.compareAndSet(WAITING, ABANDONED) && state.get() == STREAMING) {
                    Thread.currentThread().interrupt(); // begun after all: the caller's handler has it now
                    return BEGUN;
                }
                Thread.currentThread().interrupt();
                throw new ProviderException("interrupted while waiting for a stream to begin", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) throw re;
                if (cause instanceof Error err) throw err;
                throw new ProviderException("the stream failed before it began: " + cause, cause);
            }
        }
    }
}
