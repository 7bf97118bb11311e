package dev.consilium.agents.provider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModelRefTest {

    @Test
    void theProviderIsBeforeTheFirstSlashAndTheModelIsTheRest() {
        assertEquals(new ModelRef("openai", "gpt-4o-mini"), ModelRef.parse("openai/gpt-4o-mini"));
        assertEquals(new ModelRef("openai-compatible", "Qwen/Qwen2.5-7B-Instruct"),
                ModelRef.parse("openai-compatible/Qwen/Qwen2.5-7B-Instruct"));
        assertEquals(new ModelRef("builtin", "/tmp/checkpoints/round-3"), ModelRef.parse("builtin//tmp/checkpoints/round-3"));
        assertEquals("ollama/llama3.2", ModelRef.parse("ollama/llama3.2").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-4o", "/gpt-4o", "openai/", ""})
    void aRefWithoutProviderOrModelIsRejectedWithAnExample(String ref) {
        var e = assertThrows(ProviderException.class, () -> ModelRef.parse(ref));
        assertEquals("model ref \"" + ref + "\": expected PROVIDER/MODEL, e.g. openai/gpt-4o-mini", e.getMessage());
    }
}
