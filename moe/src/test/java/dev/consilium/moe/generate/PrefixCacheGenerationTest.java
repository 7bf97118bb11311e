package dev.consilium.moe.generate;

import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.prefixcache.PrefixCache;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PrefixCacheGenerationTest {
    @Test
    void aPromptServedFromTheCacheGivesBitIdenticalOutput() {
        DeepSeekV3Model m = TinyModels.model(23);
        int[] shared = new int[40];
        for (int i = 0; i < shared.length; i++) shared[i] = (i * 37 + 11) % 300;
        int[] prompt = java.util.Arrays.copyOf(shared, 45);
        for (int i = 40; i < 45; i++) prompt[i] = i;
        PrefixCache cache = PrefixCache.builder().modelId("test").rowWidth(3 * (16 + 8)).blockTokens(8).maxBytes(1 << 20).build();
        // sampled without speculation, and greedy with it: the two cases where the cache cannot change output
        SamplingParams sampled = SamplingParams.builder().seed(3L).temperature(0.8).maxNewTokens(12).logprobs(true).build();
        SamplingParams greedy = SamplingParams.greedy(12).toBuilder().logprobs(true).build();
        for (boolean speculative : new boolean[] {false, true}) {
            SamplingParams p = speculative ? greedy : sampled;
            Completion cold = Generator.builder().model(m).speculative(speculative).build().generate(prompt, p);
            Generator g = Generator.builder().model(m).speculative(speculative).prefixCache(cache).build();
            g.generate(shared, p);
            Completion warm = g.generate(prompt, p);
            assertEquals(40, warm.cachedPromptTokens());
            assertArrayEquals(cold.tokens(), warm.tokens());
            assertEquals(cold.logprobs(), warm.logprobs());
        }
    }

    @Test
    void aCacheOfTheWrongRowWidthIsRefused() {
        PrefixCache cache = PrefixCache.builder().modelId("test").rowWidth(10).blockTokens(8).maxBytes(1 << 20).build();
        var e = assertThrows(IllegalArgumentException.class,
                () -> Generator.builder().model(TinyModels.model(1)).prefixCache(cache).build());
        assertTrue(e.getMessage().contains("72"), e.getMessage());
    }
}
