package dev.consilium.moe.generate;

import dev.consilium.moe.model.VecMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a row of logits into the distribution a request samples from, draws from it, and reports
 * log-probabilities. Sums run in a fixed order (double in index order; the log-sum-exp of log-probabilities
 * in float vector lanes, then a fixed tree), so a row gives the same result wherever it is computed. One
 * instance per decode loop: it keeps its scratch and allocates nothing per token but what it returns.
 */
final class Sampler {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final int V;
    private final float[] logp;
    private final double[] work;
    /** Token ids as a max-heap on (probability, then lower id) in front, popped ones behind, most likely last. */
    private final int[] order;

    Sampler(int V) {
        this.V = V;
        logp = new float[V];
        work = new double[V];
        order = new int[V];
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
            // most likely first, ties to the lower id, so the kept set is a function of the row alone; a heap
            // pops only as many as are kept (the i-th most likely lands at order[V - 1 - i])
            for (int v = 0; v < V; v++) order[v] = v;
            for (int i = V / 2 - 1; i >= 0; i--) siftDown(i, V);
            int keep = topK ? p.topK() : V, popped = 0;
            double kept = 0;
            if (topK) {
                for (; popped < keep; popped++) kept += work[pop(V - popped)];
            } else {
                for (int v = 0; v < V; v++) kept += work[v];
            }
            if (p.topP() < 1) {
                double cum = 0;
                for (int i = 0; i < keep; i++) {
                    if (i == popped) pop(V - popped++);
                    cum += work[order[V - 1 - i]] / kept;
                    if (cum >= p.topP()) {
                        keep = i + 1;
                        break;
                    }
                }
            }
            double total = 0;
            for (int i = 0; i < keep; i++) total += work[order[V - 1 - i]];
            Arrays.fill(probs, 0, V, 0f);
            for (int i = 0; i < keep; i++) probs[order[V - 1 - i]] = (float) (work[order[V - 1 - i]] / total);
            return;
        }
        for (int v = 0; v < V; v++) probs[v] = (float) work[v];
    }

    /** Whether token a ranks before token b: more likely, or as likely and a lower id. */
    private boolean before(int a, int b) {
        return work[a] > work[b] || (work[a] == work[b] && a < b);
    }

    /** Moves the most likely of the heap order[0, size) to order[size - 1]; returns it. */
    private int pop(int size) {
        int top = order[0];
        order[0] = order[size - 1];
        order[size - 1] = top;
        siftDown(0, size - 1);
        return top;
    }

    private void siftDown(int i, int size) {
        int x = order[i];
        for (int c; (c = 2 * i + 1) < size; i = c) {
            if (c + 1 < size && before(order[c + 1], order[c])) c++;
            if (!before(order[c], x)) break;
            order[i] = order[c];
        }
        order[i] = x;
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
        float lse = logSumExp(logits, off, V);
        if (topN == 0) return new TokenLogprob(token, logits[off + token] - lse, List.of());
        for (int v = 0; v < V; v++) logp[v] = logits[off + v] - lse;
        int n = Math.min(topN, V);
        List<TopLogprob> top = new ArrayList<>(n);
        // partial selection, each pass the best of those ranking after the previous pick (more likely, or as
        // likely and a lower id, first): n is a handful, V a few thousand
        for (int i = 0, prev = -1; i < n; i++) {
            int best = -1;
            for (int v = 0; v < V; v++) {
                boolean after = prev < 0 || logp[v] < logp[prev] || (logp[v] == logp[prev] && v > prev);
                if (after && (best < 0 || logp[v] > logp[best])) best = v;
            }
            top.add(new TopLogprob(best, logp[best]));
            prev = best;
        }
        return new TokenLogprob(token, logp[token], top);
    }

    /**
     * log sum_v exp(x[off + v]) for v in [0, V): every token's logprob needs it, so it runs in float vectors,
     * the lanes summed by {@link VecMath#sum}'s fixed tree and the tail in index order.
     */
    static float logSumExp(float[] x, int off, int V) {
        float max = Float.NEGATIVE_INFINITY;
        int v = 0;
        if (V >= L) {
            FloatVector m = FloatVector.fromArray(S, x, off);
            for (v = L; v < S.loopBound(V); v += L) m = m.max(FloatVector.fromArray(S, x, off + v));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; v < V; v++) max = Math.max(max, x[off + v]);
        FloatVector sum = FloatVector.zero(S);
        for (v = 0; v < S.loopBound(V); v += L) sum = sum.add(VecMath.exp(FloatVector.fromArray(S, x, off + v).sub(max)));
        float s = VecMath.sum(sum);
        for (; v < V; v++) s += (float) Math.exp(x[off + v] - max);
        return max + (float) Math.log(s);
    }
}
