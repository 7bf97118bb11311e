package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ProviderException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds a whole call, retries and fallbacks included. The call runs on a virtual thread (cheap to park for
 * minutes) while the caller waits at most {@code deadline}; past it, the virtual thread is interrupted, which
 * cancels the JDK HTTP exchange or the retry sleep in progress, and the caller gets a
 * {@link DeadlineExceededException}. Interrupting the caller cancels the call the same way.
 */
public final class DeadlineChatModel extends ForwardingChatModel {

    private final String name;
    private final Duration deadline;

    public DeadlineChatModel(ChatModel delegate, String name, Duration deadline) {
        super(delegate);
        this.name = name;
        this.deadline = deadline;
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        CompletableFuture<ChatResponse> result = new CompletableFuture<>();
        Thread call = Thread.ofVirtual().name("consilium-call-" + name).start(() -> {
            try {
                result.complete(delegate.chat(request, options));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.interrupt();
            throw new DeadlineExceededException(name + ": no answer within the deadline of " + deadline.toMillis()
                    + " ms; the call was cancelled");
        } catch (InterruptedException e) {
            call.interrupt();
            Thread.currentThread().interrupt();
            throw new ProviderException(name + ": interrupted; the call was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new ProviderException(name + ": " + cause, cause);
        }
    }
}
