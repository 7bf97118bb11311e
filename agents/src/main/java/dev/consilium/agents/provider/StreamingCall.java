package dev.consilium.agents.provider;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A streaming call run to its end on the calling thread, for callers that want each piece of text as it arrives
 * and then the whole response: a command line that prints as the model writes, a test that checks the pieces.
 */
public final class StreamingCall {

    private StreamingCall() {}

    /**
     * @param onPartial receives each piece of the answer's text, in order, on the model's thread
     * @return the complete response
     * @throws RuntimeException the stream's own error, as the model reported it (wrapped only when checked)
     */
    public static ChatResponse join(StreamingChatModel model, ChatRequest request, Consumer<String> onPartial) {
        return join(model, request, ChatRequestOptions.EMPTY, onPartial);
    }

    /** {@link #join(StreamingChatModel, ChatRequest, Consumer)} with the call's listener attributes. */
    public static ChatResponse join(StreamingChatModel model, ChatRequest request, ChatRequestOptions options,
                                    Consumer<String> onPartial) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, options, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                onPartial.accept(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted while waiting for a stream", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new ProviderException("the stream failed: " + cause, cause);
        }
    }
}
