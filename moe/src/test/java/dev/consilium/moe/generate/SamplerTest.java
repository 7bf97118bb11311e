package dev.consilium.moe.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The sampling distribution and logprobs against plain references: a full sort and double sums. */
class SamplerTest {
    private static final int V = 300;

    /** Logits with many exact ties, so the order between equally likely tokens matters. */
    private static float[] logits(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[V];
        for (int v = 0; v < V; v++) x[v] = r.nextInt(40) / 8f;
        return x;
    }

    @ParameterizedTest(name = "topK={0} topP={1}")
    @CsvSource({"0, 0.5", "0, 0.95", "10, 1.0", "25, 0.6", "1, 1.0", "299, 0.99", "0, 0.0001"})
    void keepsTheMostLikelyTokensTiesToTheLowerIdRenormalized(int topK, double topP) {
        float[] x = logits(topK * 31L + (long) (topP * 1000));
        SamplingParams p = SamplingParams.builder().temperature(0.7).topK(topK).topP(topP).build();
        float[] probs = new float[V];
        new Sampler(V).distribution(x, 0, p, probs);

        double[] w = new double[V];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int v = 0; v < V; v++) max = Math.max(max, x[v] / 0.7);
        for (int v = 0; v < V; v++) sum += w[v] = Math.exp(x[v] / 0.7 - max);
        for (int v = 0; v < V; v++) w[v] /= sum;
        Integer[] order = new Integer[V];
        for (int v = 0; v < V; v++) order[v] = v;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(v -> -w[v]).thenComparingInt(v -> v));
        int keep = topK > 0 ? topK : V;
        double kept = 0, cum = 0, total = 0;
        for (int i = 0; i < keep; i++) kept += w[order[i]];
        for (int i = 0; i < keep; i++) {
            cum += w[order[i]] / kept;
            if (cum >= topP) {
                keep = i + 1;
                break;
            }
        }
        for (int i = 0; i < keep; i++) total += w[order[i]];
        float[] expected = new float[V];
        for (int i = 0; i < keep; i++) expected[order[i]] = (float) (w[order[i]] / total);
        for (int v = 0; v < V; v++) assertEquals(expected[v], probs[v], 1e-6, "token " + v);
    }

    @ParameterizedTest(name = "top={0}")
    @CsvSource({"0", "1", "5"})
    void logprobsAreTheLogSoftmaxAndTheAlternativesComeMostLikelyFirstTiesToTheLowerId(int topN) {
        float[] x = logits(5);
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float f : x) max = Math.max(max, f);
        for (float f : x) sum += Math.exp(f - max);
        double lse = max + Math.log(sum);
        TokenLogprob lp = new Sampler(V).logprob(x, 0, 17, topN);
        assertEquals(x[17] - lse, lp.logprob(), 1e-5);
        Integer[] order = new Integer[V];
        for (int v = 0; v < V; v++) order[v] = v;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(v -> -x[v]).thenComparingInt(v -> v));
        assertEquals(topN, lp.top().size());
        for (int i = 0; i < topN; i++) {
            assertEquals(order[i], lp.top().get(i).token(), "alternative " + i);
            assertEquals(x[order[i]] - lse, lp.top().get(i).logprob(), 1e-5);
        }
    }
}
