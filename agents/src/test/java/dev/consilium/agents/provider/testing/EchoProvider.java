package dev.consilium.agents.provider.testing;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A third-party provider as a plugin author would write one, registered through the test classpath's
 * {@code META-INF/services}: {@code test-echo/NAME} answers "NAME: " and the last user message.
 */
public final class EchoProvider implements ChatModelProvider {

    @Override
    public String name() {
        return "test-echo";
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        return new ChatModel() {
            @Override
            public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
                String text = ((UserMessage) request.messages().getLast()).singleText();
                return FakeChatModel.reply(target.modelName() + ": " + text);
            }
        };
    }
}
