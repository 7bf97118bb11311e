package dev.consilium.moe.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in model is DeepSeek-V3, numerically: checkpoints whose logits DeepSeek's own reference
 * {@code inference/model.py} computed (float32, CPU) load through {@link ModelCheckpoint} and give the same
 * log-probabilities at every position over the whole vocabulary. The fixtures under
 * {@code src/test/resources/crosscheck/} come from {@code crosscheck/make_reference_fixture.py}; each
 * {@code reference.json} also records how far the log-probs move when one V3 detail (the selection bias, the
 * routed scaling factor, YaRN) is dropped, all above 1, so this tolerance cannot hide a semantic difference.
 */
class ReferenceLogitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** float32 on both sides: the measured gap is about 1e-6. */
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"q-lora", "q-proj", "yarn"})
    void logProbsMatchDeepSeekReferenceAtEveryPosition(String variant) throws IOException {
        Path dir = resource(variant);
        DeepSeekV3Model model = ModelCheckpoint.load(dir).model();
        JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
        JsonNode tokens = ref.get("tokens"), logits = ref.get("logits");
        int B = tokens.size(), T = tokens.get(0).size(), V = model.config().vocabSize();
        int[] in = new int[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) in[b * T + t] = tokens.get(b).get(t).intValue();

        // logProbs gives log p(target) per position, so the full distribution takes one pass per vocabulary id
        double[][] ours = new double[B * T][V];
        int[] target = new int[B * T];
        for (int v = 0; v < V; v++) {
            java.util.Arrays.fill(target, v);
            float[] lp = model.logProbs(in, target, B, T);
            for (int n = 0; n < B * T; n++) ours[n][v] = lp[n];
        }

        double worst = 0;
        String where = "";
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                JsonNode row = logits.get(b).get(t);
                assertEquals(V, row.size(), "reference logits width at (" + b + ", " + t + ")");
                double[] expected = logSoftmax(row);
                for (int v = 0; v < V; v++) {
                    double d = Math.abs(ours[b * T + t][v] - expected[v]);
                    if (d > worst) {
                        worst = d;
                        where = "sequence " + b + ", position " + t + ", token " + v;
                    }
                }
            }
        }
        assertTrue(worst <= TOLERANCE, variant + ": max |log p - log p_ref| = " + worst + " at " + where);
    }

    private static double[] logSoftmax(JsonNode row) {
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode x : row) max = Math.max(max, x.doubleValue());
        double sum = 0;
        for (JsonNode x : row) sum += Math.exp(x.doubleValue() - max);
        double lse = max + Math.log(sum);
        double[] out = new double[row.size()];
        for (int i = 0; i < out.length; i++) out[i] = row.get(i).doubleValue() - lse;
        return out;
    }

    private static Path resource(String variant) {
        try {
            return Path.of(ReferenceLogitsTest.class.getResource("/crosscheck/" + variant + "/config.json").toURI())
                    .getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource crosscheck/" + variant, e);
        }
    }
}
