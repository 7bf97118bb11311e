package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.*;
import static org.junit.jupiter.api.Assertions.*;

class DeepSeekV3ModelTest {

    static Batch randomBatch(long seed, int V, int B, int T) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] tokens = r.ints(B * T, 0, V).toArray();
        int[] targets = new int[B * T];
        float[] weights = new float[B * T];
        for (int n = 0; n < B * T; n++) {
            targets[n] = n % T == T - 1 ? r.nextInt(V) : tokens[n + 1];
            weights[n] = n % 5 == 0 ? 0f : (float) r.nextDouble(0.2, 1.5);
        }
        return Batch.of(tokens, targets, weights, B, T);
    }

    /** Parameters spread wider than the init so every path carries a gradient well above rounding noise. */
    static void randomize(DeepSeekV3Model m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (NamedTensor t : m.parameters()) {
            boolean norm = t.shape().length == 1;
            for (int i = 0; i < t.size(); i++) {
                m.params()[t.offset() + i] = norm ? 1f + (float) r.nextGaussian() * 0.2f : (float) r.nextGaussian() * 0.35f;
            }
        }
        for (NamedTensor t : m.buffers()) {
            for (int i = 0; i < t.size(); i++) m.bufferData()[t.offset() + i] = (float) r.nextGaussian() * 0.05f;
        }
    }

    static Map<String, NamedTensor> byName(List<NamedTensor> ts) {
        Map<String, NamedTensor> m = new HashMap<>();
        for (NamedTensor t : ts) m.put(t.name(), t);
        return m;
    }

    @Test
    void tensorsCarryHuggingFaceNamesAndShapesAndTileTheFlatBuffer() {
        DeepSeekV3Model m = new DeepSeekV3Model(TestConfigs.tiny(true, 1, false), 1);
        Map<String, NamedTensor> p = byName(m.parameters());
        Object[][] expected = {
                {"model.embed_tokens.weight", new int[] {29, 16}},
                {"model.layers.0.input_layernorm.weight", new int[] {16}},
                {"model.layers.0.self_attn.q_a_proj.weight", new int[] {12, 16}},
                {"model.layers.0.self_attn.q_a_layernorm.weight", new int[] {12}},
                {"model.layers.0.self_attn.q_b_proj.weight", new int[] {2 * 8, 12}},
                {"model.layers.0.self_attn.kv_a_proj_with_mqa.weight", new int[] {8 + 4, 16}},
                {"model.layers.0.self_attn.kv_a_layernorm.weight", new int[] {8}},
                {"model.layers.0.self_attn.kv_b_proj.weight", new int[] {2 * (4 + 6), 8}},
                {"model.layers.0.self_attn.o_proj.weight", new int[] {16, 2 * 6}},
                {"model.layers.0.mlp.gate_proj.weight", new int[] {24, 16}},
                {"model.layers.0.mlp.down_proj.weight", new int[] {16, 24}},
                {"model.layers.1.mlp.gate.weight", new int[] {8, 16}},
                {"model.layers.2.mlp.experts.7.down_proj.weight", new int[] {16, 8}},
                {"model.layers.2.mlp.shared_experts.up_proj.weight", new int[] {8, 16}},
                {"model.norm.weight", new int[] {16}},
                {"lm_head.weight", new int[] {29, 16}},
                {"model.layers.3.enorm.weight", new int[] {16}},
                {"model.layers.3.hnorm.weight", new int[] {16}},
                {"model.layers.3.eh_proj.weight", new int[] {16, 32}},
                {"model.layers.3.shared_head.norm.weight", new int[] {16}},
                {"model.layers.3.self_attn.kv_b_proj.weight", new int[] {2 * (4 + 6), 8}},
                {"model.layers.3.mlp.experts.0.gate_proj.weight", new int[] {8, 16}},
        };
        for (Object[] e : expected) {
            NamedTensor t = p.get((String) e[0]);
            assertNotNull(t, "missing " + e[0]);
            assertArrayEquals((int[]) e[1], t.shape(), (String) e[0]);
        }
        assertFalse(p.containsKey("model.layers.0.mlp.gate.weight"), "layer 0 is dense");
        // every float belongs to exactly one tensor
        int[] owner = new int[m.parameterCount()];
        for (NamedTensor t : m.parameters()) for (int i = 0; i < t.size(); i++) owner[t.offset() + i]++;
        for (int o : owner) assertEquals(1, o);
        assertEquals(p.size(), m.parameters().size(), "names are unique");
        List<String> buffers = m.buffers().stream().map(NamedTensor::name).toList();
        assertEquals(List.of("model.layers.1.mlp.gate.e_score_correction_bias",
                "model.layers.2.mlp.gate.e_score_correction_bias",
                "model.layers.3.mlp.gate.e_score_correction_bias"), buffers);
        assertTrue(p.keySet().stream().noneMatch(n -> n.contains("e_score_correction_bias")),
                "the selection bias is not a trained parameter");
    }

    @Test
    void initializationFollowsTheSeed() {
        ModelConfig c = TestConfigs.tiny(true, 1, false);
        DeepSeekV3Model a = new DeepSeekV3Model(c, 5), b = new DeepSeekV3Model(c, 5), other = new DeepSeekV3Model(c, 6);
        assertArrayEquals(a.params(), b.params());
        assertFalse(Arrays.equals(a.params(), other.params()));
        Map<String, NamedTensor> p = byName(a.parameters());
        NamedTensor norm = p.get("model.layers.1.post_attention_layernorm.weight");
        for (int i = 0; i < norm.size(); i++) assertEquals(1f, norm.get(i));
        NamedTensor w = p.get("model.embed_tokens.weight");
        double ss = 0;
        for (int i = 0; i < w.size(); i++) ss += w.get(i) * w.get(i);
        assertEquals(DeepSeekV3Model.INIT_STD, Math.sqrt(ss / w.size()), 0.003);
    }

    @ParameterizedTest(name = "q_lora={0}, yarn={1}")
    @CsvSource({"true, false", "false, true"})
    void wholeModelGradientMatchesFiniteDifferences(boolean qLora, boolean yarn) {
        DeepSeekV3Model m = new DeepSeekV3Model(TestConfigs.tiny(qLora, 1, yarn), 3);
        randomize(m, 4);
        m.setLossWeights(new LossWeights(0.6f, 0.3f));
        Batch batch = randomBatch(5, 29, 2, 7);
        m.forward(batch);
        m.holdRouting(true);
        m.zeroGrads();
        m.forward(batch);
        Loss loss = m.backward();
        assertTrue(loss.mtp() > 0 && loss.balance() > 0, "MTP and balance losses take part: " + loss);
        float[] grads = m.grads().clone();
        SplittableRandom r = new SplittableRandom(6);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (NamedTensor t : m.parameters()) {
            int[] idx = sample(r, t.offset(), t.size(), 4);
            // h = 3e-3 balances truncation (h^2 through 4 blocks) against float rounding of the loss (~1e-6 / h):
            // at 1e-2 or 1e-3 the worst entry uses more than the whole tolerance, at 3e-3 under half of it
            double[] num = numeric(m.params(), idx, 3e-3f, () -> m.forward(batch).loss().total());
            float[] ana = pick(grads, idx);
            for (int j = 0; j < idx.length; j++) {
                // per entry: relative 2%, or absolute 2e-4 for entries whose gradient is nearly zero
                if (Math.abs(ana[j] - num[j]) > 0.02 * Math.abs(num[j]) + 2e-4) {
                    failures.add(t.name() + "[" + (idx[j] - t.offset()) + "]: analytic " + ana[j] + " numeric " + num[j]);
                }
                checked++;
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " entries differ:\n" + String.join("\n", failures));
    }

    /**
     * MTP depth 1 at position i reads Emb(t_{i+1}) through eh_proj's first H columns and h_i through the
     * last H. A token X that occurs only at the last position reaches the one MTP position with a target
     * (i = T-2) only through the embedding half.
     */
    @ParameterizedTest(name = "embedding half zeroed={0}")
    @CsvSource({"true", "false"})
    void mtpReadsTheNextTokensEmbeddingFirstAndTheHiddenStateSecond(boolean zeroEmbeddingHalf) {
        DeepSeekV3Model m = new DeepSeekV3Model(TestConfigs.tiny(true, 1, false), 26);
        randomize(m, 27);
        m.setLossWeights(new LossWeights(1f, 0f));
        int H = 16, X = 28, T = 6;
        NamedTensor eh = byName(m.parameters()).get("model.layers.3.eh_proj.weight");
        for (int r = 0; r < H; r++) {
            for (int c = zeroEmbeddingHalf ? 0 : H; c < (zeroEmbeddingHalf ? H : 2 * H); c++) {
                m.params()[eh.offset() + r * 2 * H + c] = 0f;
            }
        }
        Batch batch = Batch.of(new int[] {1, 2, 3, 4, 5, X}, new int[] {2, 3, 4, 5, X, 7}, new float[] {1, 1, 1, 1, 1, 1}, 1, T);
        float before = m.forward(batch).loss().mtp();
        NamedTensor emb = byName(m.parameters()).get("model.embed_tokens.weight");
        for (int c = 0; c < H; c++) m.params()[emb.offset() + X * H + c] += 0.5f;
        float after = m.forward(batch).loss().mtp();
        if (zeroEmbeddingHalf) assertEquals(before, after, "without the embedding half, X cannot reach a predicted position");
        else assertNotEquals(before, after, "through the embedding half, X reaches position T-2");
    }

    @Test
    void sameSeedAndBatchGiveBitIdenticalLossAndGradients() {
        ModelConfig c = TestConfigs.tiny(true, 1, false);
        Batch batch = randomBatch(7, 29, 3, 11);
        DeepSeekV3Model a = new DeepSeekV3Model(c, 9), b = new DeepSeekV3Model(c, 9);
        ForwardPass fa = a.forward(batch), fb = b.forward(batch);
        Loss la = a.backward(), lb = b.backward();
        assertEquals(la, lb);
        assertArrayEquals(fa.logProbs(), fb.logProbs());
        assertArrayEquals(a.grads(), b.grads());
        float[] first = a.grads().clone();
        a.zeroGrads();
        a.forward(batch);
        assertEquals(la, a.backward(), "a second step on the same state repeats exactly");
        assertArrayEquals(first, a.grads());
    }

    @Test
    void aConstantShiftOfTheBiasChangesNothingSoTheBiasNeverReachesWeightsOrGradients() {
        ModelConfig c = TestConfigs.tiny(true, 1, false);
        Batch batch = randomBatch(8, 29, 2, 9);
        DeepSeekV3Model a = new DeepSeekV3Model(c, 10), b = new DeepSeekV3Model(c, 10);
        randomize(a, 11);
        randomize(b, 11);
        for (int i = 0; i < b.bufferData().length; i++) b.bufferData()[i] += 1f;
        Loss la = a.forward(batch).loss(), lb = b.forward(batch).loss();
        for (int l = 0; l < a.moeLayers().size(); l++) {
            assertArrayEquals(a.moeLayers().get(l).selection(), b.moeLayers().get(l).selection());
        }
        assertEquals(la, lb);
        a.backward();
        b.backward();
        assertArrayEquals(a.grads(), b.grads());
    }

    @Test
    void aLargeBiasForcesSelectionWhileGateWeightsStayUnbiasedScores() {
        ModelConfig c = TestConfigs.tiny(true, 0, false);
        DeepSeekV3Model m = new DeepSeekV3Model(c, 12);
        randomize(m, 13);
        MoeLayer layer = m.moeLayers().get(0);
        m.bufferData()[layer.bias + 5] = 10f;
        m.forward(randomBatch(14, 29, 2, 6));
        int N = 12, E = layer.E, K = layer.K;
        float[] s = layer.scores(), w = layer.gateWeights();
        int[] sel = layer.selection();
        for (int t = 0; t < N; t++) {
            assertEquals(5, sel[t * K], "token " + t + " must pick the boosted expert first");
            float sum = 0f;
            for (int k = 0; k < K; k++) sum += s[t * E + sel[t * K + k]];
            for (int k = 0; k < K; k++) {
                assertEquals(s[t * E + sel[t * K + k]] / sum * c.routedScalingFactor(), w[t * K + k], 1e-6);
            }
        }
    }

    @Test
    void routingBiasUpdatesMoveLoadTowardBalance() {
        ModelConfig c = TestConfigs.tiny(true, 0, false);
        DeepSeekV3Model m = new DeepSeekV3Model(c, 15);
        randomize(m, 16);
        MoeLayer layer = m.moeLayers().get(0);
        for (int e = 0; e < 4; e++) m.bufferData()[layer.bias + e] = 0.3f; // experts 0-3 hog the tokens
        Batch batch = randomBatch(17, 29, 4, 16);
        m.forward(batch);
        double before = m.expertLoad().get(0).maxOverMean();
        float[] biasBefore = m.bufferData().clone();
        m.updateRoutingBias(0f);
        assertArrayEquals(biasBefore, m.bufferData(), "gamma 0 leaves the bias alone");
        assertEquals(0, m.expertLoad().get(0).total(), "an update restarts the count");
        for (int step = 0; step < 30; step++) {
            m.forward(batch);
            m.updateRoutingBias(0.02f);
        }
        m.forward(batch);
        double after = m.expertLoad().get(0).maxOverMean();
        assertTrue(before > 1.5, "the skew must be real for the test to mean something: " + before);
        assertTrue(after < before * 0.75, "max/mean load " + before + " -> " + after);
        assertEquals(64 * 2, m.expertLoad().get(0).total());
    }

    @Test
    void logProbsMatchTheTrainingForwardAndCountNoLoad() {
        ModelConfig c = TestConfigs.tiny(false, 1, false);
        DeepSeekV3Model m = new DeepSeekV3Model(c, 18);
        randomize(m, 19);
        Batch batch = randomBatch(20, 29, 2, 8);
        float[] eval = m.logProbs(batch.tokens(), batch.targets(), 2, 8);
        assertEquals(0, m.expertLoad().get(0).total());
        ForwardPass train = m.forward(batch);
        assertArrayEquals(train.logProbs(), eval);
        double ce = 0;
        for (int n = 0; n < 16; n++) ce -= batch.weights()[n] * (double) eval[n];
        assertEquals(ce / batch.normalizer(), train.loss().crossEntropy(), 1e-6);
        m.logProbs(batch.tokens(), batch.targets(), 2, 8);
        assertThrows(IllegalStateException.class, m::backward, "logProbs discards the pending backward");
    }

    @Test
    void logitsAreTheUnnormalizedLogProbsOfEveryToken() {
        ModelConfig c = TestConfigs.tiny(false, 1, false);
        DeepSeekV3Model m = new DeepSeekV3Model(c, 18);
        randomize(m, 19);
        Batch batch = randomBatch(20, 29, 2, 8);
        float[] logits = m.logits(batch.tokens(), 2, 8);
        float[] logp = m.logProbs(batch.tokens(), batch.targets(), 2, 8);
        int V = c.vocabSize();
        assertEquals(16 * V, logits.length);
        for (int n = 0; n < 16; n++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[n * V + v]);
            for (int v = 0; v < V; v++) sum += Math.exp(logits[n * V + v] - max);
            double expected = logits[n * V + batch.targets()[n]] - max - Math.log(sum);
            assertEquals(expected, logp[n], 1e-5, "position " + n);
        }
        assertEquals(0, m.expertLoad().get(0).total());
    }

    @Test
    void withoutMtpWeightTheMtpModulesAreSkipped() {
        DeepSeekV3Model m = new DeepSeekV3Model(TestConfigs.tiny(true, 1, false), 21);
        m.setLossWeights(new LossWeights(0f, 0f));
        m.forward(randomBatch(22, 29, 2, 5));
        Loss loss = m.backward();
        assertEquals(0f, loss.mtp());
        assertEquals(loss.crossEntropy(), loss.total());
        NamedTensor eh = byName(m.gradients()).get("model.layers.3.eh_proj.weight");
        for (int i = 0; i < eh.size(); i++) assertEquals(0f, eh.get(i));
    }

    @Test
    void backwardWeightsReplaceTheBatchWeights() {
        DeepSeekV3Model m = new DeepSeekV3Model(TestConfigs.tiny(true, 0, false), 23);
        Batch batch = randomBatch(24, 29, 2, 5);
        ForwardPass f = m.forward(batch);
        float[] w = new float[10];
        w[3] = -2f; // e.g. a negative advantage pushes this token's probability down
        Loss loss = m.backward(w, 4f);
        assertEquals(2.0 * f.logProbs()[3] / 4, loss.crossEntropy(), 1e-6);
        assertThrows(IllegalStateException.class, m::backward, "one backward per forward");
    }

    @Test
    void errorsNameTheProblem() {
        DeepSeekV3Model m = new DeepSeekV3Model(TestConfigs.tiny(true, 0, false), 25);
        int[] tokens = {1, 2, 99, 3};
        var e = assertThrows(IllegalArgumentException.class, () -> m.logProbs(tokens, new int[4], 1, 4));
        assertTrue(e.getMessage().contains("token 99 at position 2"), e.getMessage());
        assertThrows(IllegalStateException.class, m::backward);
        assertThrows(IllegalArgumentException.class, () -> m.logProbs(new int[65], new int[65], 1, 65),
                "longer than max_position_embeddings");
    }
}
