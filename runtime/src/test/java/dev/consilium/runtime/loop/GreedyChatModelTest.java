package dev.consilium.runtime.loop;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GreedyChatModelTest {
    private final List<ChatRequestParameters> seen = new ArrayList<>();
    private final ChatModel recording = new ChatModel() {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            seen.add(request.parameters());
            return ChatResponse.builder().aiMessage(AiMessage.from("ok")).build();
        }
    };

    private static ChatRequest at(Double temperature) {
        return ChatRequest.builder().messages(UserMessage.from("q"))
                .parameters(ChatRequestParameters.builder().temperature(temperature).build()).build();
    }

    @Test
    void evaluationDecodesGreedilyWhateverTheRequestAsks() {
        GreedyChatModel.always(recording, 12).chat(at(1.0));

        assertEquals(0.0, seen.getFirst().temperature());
        assertEquals(12, seen.getFirst().maxOutputTokens());
    }

    @Test
    void aJudgeThatSamplesOnPurposeKeepsItsTemperatureAndOneThatNamesNoneIsGreedy() {
        ChatModel judge = GreedyChatModel.byDefault(recording, 64);
        judge.chat(at(1.0));
        judge.chat(at(null));

        assertEquals(1.0, seen.get(0).temperature());
        assertEquals(0.0, seen.get(1).temperature());
        assertEquals(64, seen.get(1).maxOutputTokens());
    }
}
