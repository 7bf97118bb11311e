package dev.consilium.agents.provider.testing;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A model that plays a script: each call takes the next step (a response or an exception to throw); once the
 * script is used up it repeats the last step. Records the options of every call.
 */
public final class FakeChatModel implements ChatModel {

    private final Queue<Supplier<ChatResponse>> script = new ConcurrentLinkedQueue<>();
    private final List<ChatRequestOptions> calls = new CopyOnWriteArrayList<>();
    private volatile Supplier<ChatResponse> last = () -> reply("ok");

    public static ChatResponse reply(String text) {
        return reply(text, 10, 5);
    }

    public static ChatResponse reply(String text, int input, int output) {
        return ChatResponse.builder().aiMessage(AiMessage.from(text)).finishReason(FinishReason.STOP)
                .modelName("fake").tokenUsage(new TokenUsage(input, output)).build();
    }

    public FakeChatModel then(ChatResponse response) {
        script.add(() -> response);
        return this;
    }

    public FakeChatModel thenThrow(RuntimeException e) {
        script.add(() -> {
            throw e;
        });
        return this;
    }

    public FakeChatModel then(Supplier<ChatResponse> step) {
        script.add(step);
        return this;
    }

    public int calls() {
        return calls.size();
    }

    public List<ChatRequestOptions> options() {
        return List.copyOf(calls);
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        calls.add(options);
        Supplier<ChatResponse> step = script.poll();
        if (step != null) last = step;
        else step = last;
        return step.get();
    }
}
