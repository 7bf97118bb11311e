package dev.consilium.moe.generate;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class EngineTest {
    private static int[] tokens(int n, int V, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(V);
        return t;
    }

    /** Runs positions [from, to) of seq through the engine in one call; returns their logits (to - from, V). */
    private static float[] run(Engine e, float[] cache, int[] seq, int from, int to) {
        int N = to - from;
        int[] tok = Arrays.copyOfRange(seq, from, to), pos = new int[N], rows = new int[N];
        float[][] caches = new float[N][];
        for (int n = 0; n < N; n++) {
            pos[n] = from + n;
            rows[n] = n;
            caches[n] = cache;
        }
        e.forward(N, tok, pos, caches);
        return Arrays.copyOf(e.logits(rows, N), N * e.V);
    }

    @Test
    void prefillThenDecodeGivesTheLogitsOfTheFullForwardForEveryVariant() {
        for (boolean qLora : new boolean[] {true, false}) {
            for (boolean yarn : new boolean[] {true, false}) {
                for (int dense : new int[] {0, 1, 3}) {
                    ModelConfig c = TinyModels.config(qLora, yarn, dense, 0);
                    DeepSeekV3Model m = TinyModels.model(c, 5);
                    int[] seq = tokens(40, c.vocabSize(), 9);
                    float[] expected = m.logits(seq, 1, seq.length);
                    Engine e = new Engine(InferenceWeights.of(m));
                    float[] cache = new float[seq.length * e.mainWidth()];
                    float[] got = new float[seq.length * e.V];
                    System.arraycopy(run(e, cache, seq, 0, 25), 0, got, 0, 25 * e.V);
                    for (int p = 25; p < seq.length; p++) System.arraycopy(run(e, cache, seq, p, p + 1), 0, got, p * e.V, e.V);
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(expected[i], got[i], 1e-4 * Math.max(1, Math.abs(expected[i])),
                                "qLora=" + qLora + " yarn=" + yarn + " dense=" + dense + " position " + i / e.V);
                    }
                }
            }
        }
    }

    @Test
    void aPromptGivesTheSameBitsHoweverItIsChunked() {
        DeepSeekV3Model m = TinyModels.model(7);
        int[] seq = tokens(30, m.config().vocabSize(), 3);
        Engine e = new Engine(InferenceWeights.of(m));
        float[] whole = new float[seq.length * e.mainWidth()], chunked = new float[whole.length];
        float[] a = run(e, whole, seq, 0, 30);
        run(e, chunked, seq, 0, 11);
        run(e, chunked, seq, 11, 12);
        float[] b = run(e, chunked, seq, 12, 30);
        assertArrayEquals(whole, chunked);
        assertArrayEquals(Arrays.copyOfRange(a, 12 * e.V, 30 * e.V), b);
    }

    @Test
    void aRowDoesNotDependOnTheOtherSequencesInTheBatch() {
        DeepSeekV3Model m = TinyModels.model(7);
        int V = m.config().vocabSize();
        int[] x = tokens(9, V, 1), y = tokens(14, V, 2);
        Engine e = new Engine(InferenceWeights.of(m));
        float[] alone = run(e, new float[9 * e.mainWidth()], x, 0, 9);
        float[] cx = new float[9 * e.mainWidth()], cy = new float[14 * e.mainWidth()];
        int[] tok = new int[23], pos = new int[23], rows = new int[9];
        float[][] caches = new float[23][];
        for (int n = 0; n < 14; n++) { tok[n] = y[n]; pos[n] = n; caches[n] = cy; }
        for (int n = 0; n < 9; n++) { tok[14 + n] = x[n]; pos[14 + n] = n; caches[14 + n] = cx; rows[n] = 14 + n; }
        e.forward(23, tok, pos, caches);
        assertArrayEquals(alone, Arrays.copyOf(e.logits(rows, 9), 9 * V));
    }

    @Test
    void greedyOutputIsTheSameWithAndWithoutSpeculation() {
        for (int depth : new int[] {1, 2}) {
            ModelConfig c = TinyModels.config(true, false, 1, depth);
            DeepSeekV3Model m = TinyModels.model(c, 13);
            int[] prompt = tokens(9, c.vocabSize(), 4);
            SamplingParams p = SamplingParams.greedy(30).toBuilder().logprobs(true).build();
            Completion plain = Generator.builder().model(m).speculative(false).build().generate(prompt, p);
            Completion spec = Generator.builder().model(m).speculative(true).build().generate(prompt, p);
            assertArrayEquals(plain.tokens(), spec.tokens(), "depth " + depth);
            assertEquals(plain.logprobs(), spec.logprobs());
            assertEquals(0, plain.draftTokens());
            assertTrue(spec.draftTokens() > 0 && spec.acceptedDraftTokens() <= spec.draftTokens());
        }
    }

    @Test
    void speculativeSamplingIsReproducibleFromTheSeedAndCountsItsDrafts() {
        ModelConfig c = TinyModels.config(false, true, 1, 2);
        DeepSeekV3Model m = TinyModels.model(c, 17);
        SamplingParams p = SamplingParams.builder().temperature(0.7).topP(0.9).seed(5L).maxNewTokens(25).build();
        Generator g = Generator.builder().model(m).speculative(true).build();
        Completion a = g.generate(new int[] {3, 1, 4, 1, 5}, p), b = g.generate(new int[] {3, 1, 4, 1, 5}, p);
        assertArrayEquals(a.tokens(), b.tokens());
        assertEquals(25, a.tokens().length);
        assertTrue(a.draftTokens() > 0 && a.acceptedDraftTokens() <= a.draftTokens());
    }

    @Test
    void draftsThatMatchTheModelAreAllAcceptedAndEachStepAddsOneMore() {
        ModelConfig c = TinyModels.config(true, false, 3, 1);
        DeepSeekV3Model m = TinyModels.model(c, 19);
        int[] prompt = {7, 8, 9};
        int[] reference = Generator.builder().model(m).speculative(false).build().generate(prompt, SamplingParams.greedy(12)).tokens();
        Generator g = Generator.builder().model(m).speculative(true).build();
        DecodeSequence s = g.add(prompt, SamplingParams.greedy(12), null);
        g.step();
        while (!s.finished()) {
            int generated = s.generated(), accepted = s.acceptedDraftTokens;
            // an oracle in place of the MTP module's draft
            s.nDrafts = generated + 1 < 12 ? 1 : 0;
            s.drafts[0] = reference[generated];
            int nd = s.nDrafts;
            g.step();
            assertEquals(accepted + nd, s.acceptedDraftTokens);
            assertEquals(generated + nd + 1, s.generated());
        }
        assertArrayEquals(reference, s.completion().tokens());
    }
}
