package dev.consilium.agents.provider.testing;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.data.message.UserMessage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;

/** Runs one streaming call and gathers what the handler saw. */
public final class Streams {

    public record Outcome(List<String> partials, ChatResponse response, Throwable error) {}

    private Streams() {}

    public static Outcome run(StreamingChatModel model, String userMessage) {
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(ChatRequest.builder().messages(UserMessage.from(userMessage)).build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partial) {
                        partials.add(partial);
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
        await().atMost(10, SECONDS).until(done::isDone);
        if (done.isCompletedExceptionally()) {
            return new Outcome(List.copyOf(partials), null, done.exceptionNow());
        }
        return new Outcome(List.copyOf(partials), done.resultNow(), null);
    }
}
