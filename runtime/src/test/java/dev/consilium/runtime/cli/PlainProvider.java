package dev.consilium.runtime.cli;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * {@code test-plain/NAME}: a provider that does not stream, so {@code chat} takes its blocking path. It answers
 * with how many messages it was sent and the last one, which shows whether the conversation was kept.
 */
public final class PlainProvider implements ChatModelProvider {

    @Override
    public String name() {
        return "test-plain";
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        return new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                String last = ((UserMessage) request.messages().getLast()).singleText();
                return ChatResponse.builder()
                        .aiMessage(AiMessage.from(request.messages().size() + " messages, last: " + last)).build();
            }
        };
    }
}
