package dev.consilium.moe.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a row of logits into the distribution a request samples from, draws from it, and reports
 * log-probabilities. Sums run in double in index order, so a row gives the same result wherever it is
 * computed. One instance per decode loop: it keeps its scratch.
 */
final class Sampler {
    private final int V;
    private final float[] logp;
    private final double[] work;
    private final Integer[] order;

    Sampler(int V) {
        this.V = V;
        logp = new float[V];
        work = new double[V];
        order = new Integer[V];
    }

    /** The lowest id with the largest logit. */
    static int argmax(float[] x, int off, int V) {
        int best = 0;
        for (int v = 1; v < V; v++) if (x[off + v] > x[off + best]) best = v;
        return best;
    }

    /**
     * probs (V) = the sampling distribution: one-hot on the argmax when greedy, else softmax(logits / T)
     * kept to the top-k, then to the smallest most-likely set reaching top-p, renormalized.
     */
    void distribution(float[] logits, int off, SamplingParams p, float[] probs) {
        if (p.greedy()) {
            Arrays.fill(probs, 0, V, 0f);
            probs[argmax(logits, off, V)] = 1f;
            return;
        }
        double inv = 1.0 / p.temperature(), max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) max = Math.max(max, logits[off + v] * inv);
        double sum = 0;
        for (int v = 0; v < V; v++) {
            double e = Math.exp(logits[off + v] * inv - max);
            work[v] = e;
            sum += e;
        }
        for (int v = 0; v < V; v++) work[v] /= sum;
        boolean topK = p.topK() > 0 && p.topK() < V;
        if (topK || p.topP() < 1) {
            for (int v = 0; v < V; v++) order[v] = v;
            // most likely first, ties to the lower id, so the kept set is a function of the row alone
            Arrays.sort(order, (a, b) -> work[a] != work[b] ? Double.compare(work[b], work[a]) : a - b);
            int keep = topK ? p.topK() : V;
            double kept = 0;
            for (int i = 0; i < keep; i++) kept += work[order[i]];
            if (p.topP() < 1) {
                double cum = 0;
                for (int i = 0; i < keep; i++) {
                    cum += work[order[i]] / kept;
                    if (cum >= p.topP()) {
                        keep = i + 1;
                        break;
                    }
                }
            }
            double total = 0;
            for (int i = 0; i < keep; i++) total += work[order[i]];
            Arrays.fill(probs, 0, V, 0f);
            for (int i = 0; i < keep; i++) probs[order[i]] = (float) (work[order[i]] / total);
            return;
        }
        for (int v = 0; v < V; v++) probs[v] = (float) work[v];
    }

    /** A draw from probs (V); probability mass lost to rounding falls on the last nonzero entry. */
    static int sample(float[] probs, int V, SplittableRandom rng) {
        double u = rng.nextDouble(), cum = 0;
        int last = 0;
        for (int v = 0; v < V; v++) {
            if (probs[v] <= 0f) continue;
            cum += probs[v];
            last = v;
            if (u < cum) return v;
        }
        return last;
    }

    /** Log-softmax of the raw logits (temperature 1), the token's entry and, when asked, the top alternatives. */
    TokenLogprob logprob(float[] logits, int off, int token, int topN) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) max = Math.max(max, logits[off + v]);
        double sum = 0;
        for (int v = 0; v < V; v++) sum += Math.exp(logits[off + v] - max);
        double lse = max + Math.log(sum);
        if (topN == 0) return new TokenLogprob(token, (float) (logits[off + token] - lse), List.of());
        for (int v = 0; v < V; v++) logp[v] = (float) (logits[off + v] - lse);
        int n = Math.min(topN, V);
        List<TopLogprob> top = new ArrayList<>(n);
        // partial selection: n is small (a handful), V a few thousand
        boolean[] taken = new boolean[V];
        for (int i = 0; i < n; i++) {
            int best = -1;
            for (int v = 0; v < V; v++) if (!taken[v] && (best < 0 || logp[v] > logp[best])) best = v;
            taken[best] = true;
            top.add(new TopLogprob(best, logp[best]));
        }
        return new TokenLogprob(token, logp[token], top);
    }
}
