package dev.consilium.moe.generate;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class GreedyDecoderTest {
    static final ModelConfig CONFIG = ModelConfig.fromJson(ModelConfig.named("tiny").toJson()
            .replace("\"vocab_size\" : 512", "\"vocab_size\" : 40")
            .replace("\"hidden_size\" : 128", "\"hidden_size\" : 32"));

    @Test
    void eachNewTokenIsTheArgmaxOfTheLogitsAfterTheSequenceSoFar() {
        DeepSeekV3Model model = new DeepSeekV3Model(CONFIG, 4);
        int[] prompt = {3, 9, 27, 1};
        int[] out = new GreedyDecoder(model).complete(prompt, 6, -1);
        assertEquals(6, out.length);
        int[] seq = Arrays.copyOf(prompt, prompt.length + out.length);
        System.arraycopy(out, 0, seq, prompt.length, out.length);
        for (int i = 0; i < out.length; i++) {
            int len = prompt.length + i;
            float[] logits = new DeepSeekV3Model(CONFIG, 4).logits(Arrays.copyOf(seq, len), 1, len);
            int best = 0;
            for (int v = 1; v < CONFIG.vocabSize(); v++) {
                if (logits[(len - 1) * CONFIG.vocabSize() + v] > logits[(len - 1) * CONFIG.vocabSize() + best]) best = v;
            }
            assertEquals(best, out[i], "token " + i);
        }
    }

    @Test
    void stopsBeforeTheStopTokenAndAtTheContextLimit() {
        DeepSeekV3Model model = new DeepSeekV3Model(CONFIG, 4);
        int[] free = new GreedyDecoder(model).complete(new int[] {3, 9}, 5, -1);
        int[] stopped = new GreedyDecoder(model).complete(new int[] {3, 9}, 5, free[2]);
        int firstStop = 0;
        while (free[firstStop] != free[2]) firstStop++;
        assertArrayEquals(Arrays.copyOf(free, firstStop), stopped);
        int[] longPrompt = new int[CONFIG.maxPositionEmbeddings() - 2];
        assertEquals(2, new GreedyDecoder(model).complete(longPrompt, 10, -1).length);
    }
}
