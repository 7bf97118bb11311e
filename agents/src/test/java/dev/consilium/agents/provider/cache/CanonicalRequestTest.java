package dev.consilium.agents.provider.cache;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalRequestTest {

    private static final List<ChatMessage> MESSAGES = List.of(SystemMessage.from("Be brief."), UserMessage.from("17 + 25?"));

    private static CanonicalRequest of(ChatRequestParameters p) {
        return CanonicalRequest.of("openai/gpt-4o-mini", p, MESSAGES);
    }

    private static OpenAiChatRequestParameters.Builder params() {
        return OpenAiChatRequestParameters.builder().modelName("gpt-4o-mini").temperature(0.7).seed(1);
    }

    @Test
    void equalRequestsBuiltInADifferentOrderHaveOneKey() {
        var a = OpenAiChatRequestParameters.builder().modelName("gpt-4o-mini").temperature(0.7).seed(1).maxOutputTokens(64).build();
        var b = OpenAiChatRequestParameters.builder().maxOutputTokens(64).seed(1).temperature(0.7).modelName("gpt-4o-mini").build();

        assertEquals(of(a).key(), of(b).key());
        assertEquals(of(a).json(), of(b).json());
    }

    @Test
    void theSeedIsPartOfTheKey() {
        assertNotEquals(of(params().build()).key(), of(params().seed(2).build()).key());
    }

    @Test
    void parametersMessagesAndModelArePartOfTheKey() {
        String base = of(params().build()).key();
        assertNotEquals(base, of(params().temperature(0.8).build()).key());
        assertNotEquals(base, CanonicalRequest.of("deepseek/deepseek-chat", params().build(), MESSAGES).key());
        assertNotEquals(base, CanonicalRequest.of("openai/gpt-4o-mini", params().build(),
                List.of(UserMessage.from("17 + 25?"), SystemMessage.from("Be brief."))).key());
    }

    @Test
    void theJsonHasSortedKeysAndTheKeyIsItsSha256() {
        CanonicalRequest r = of(params().build());

        assertTrue(r.json().startsWith("{\"messages\":"), r.json());
        assertTrue(r.json().indexOf("\"model\":") < r.json().indexOf("\"parameters\":"), r.json());
        assertTrue(r.json().contains("\"seed\":1"), r.json());
        assertTrue(r.key().matches("[0-9a-f]{64}"), r.key());
    }
}
