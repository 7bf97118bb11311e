package dev.consilium.agents.provider.testing;

import dev.consilium.agents.provider.StreamingCall;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Runs one streaming call and gathers what the handler saw. */
public final class Streams {

    public record Outcome(List<String> partials, ChatResponse response, Throwable error) {}

    private Streams() {}

    public static Outcome run(StreamingChatModel model, String userMessage) {
        List<String> partials = new CopyOnWriteArrayList<>();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from(userMessage)).build();
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            ChatResponse response;
            try {
                response = StreamingCall.join(model, request, partials::add);
            } catch (RuntimeException e) {
                return new Outcome(List.copyOf(partials), null, e);
            }
            return new Outcome(List.copyOf(partials), response, null);
        });
    }
}
