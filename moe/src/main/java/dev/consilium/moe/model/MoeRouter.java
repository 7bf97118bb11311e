package dev.consilium.moe.model;

import dev.consilium.moe.kernel.Parallel;

import java.util.Arrays;

/**
 * DeepSeek-V3's router (the reference {@code Gate}). Scores s = sigmoid(x.Wg^T) (or softmax); selection ranks
 * s + e_score_correction_bias: with n_group > 1 each group scores as the sum of its top two biased scores,
 * only the best topk_group groups stay eligible, then the top K eligible experts win. Gate weights use the
 * UNBIASED scores of the winners (normalized to sum 1 when asked, sigmoid case), times routed_scaling_factor,
 * so the bias steers which experts run and never how much they count. Ties go to the lower expert index.
 * Shapes: N tokens, E experts, K experts per token, G groups.
 */
public final class MoeRouter {
    private MoeRouter() {}

    /** s (N, E) from logits (N, E). */
    public static void scores(float[] s, float[] logits, int N, int E, boolean softmax) {
        Parallel.forRange(N, Math.max(1, 4096 / E), (from, to) -> {
            for (int t = from; t < to; t++) {
                int r = t * E;
                if (softmax) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int e = 0; e < E; e++) max = Math.max(max, logits[r + e]);
                    float sum = 0f;
                    for (int e = 0; e < E; e++) {
                        float v = (float) Math.exp(logits[r + e] - max);
                        s[r + e] = v;
                        sum += v;
                    }
                    float inv = 1f / sum;
                    for (int e = 0; e < E; e++) s[r + e] *= inv;
                } else {
                    for (int e = 0; e < E; e++) s[r + e] = 1f / (1f + (float) Math.exp(-logits[r + e]));
                }
            }
        });
    }

    /**
     * sel (N, K): the chosen experts per token, best biased score first. biased (N, E) and groupScore (N, G)
     * are scratch. bias (E) at biasOff.
     */
    public static void select(int[] sel, float[] biased, float[] groupScore, float[] s, float[] bias, int biasOff,
                       int N, int E, int K, int G, int topkGroup) {
        int per = E / G;
        Parallel.forRange(N, Math.max(1, 2048 / E), (from, to) -> {
            for (int t = from; t < to; t++) {
                int r = t * E;
                for (int e = 0; e < E; e++) biased[r + e] = s[r + e] + bias[biasOff + e];
                if (G > 1) {
                    int gr = t * G;
                    for (int g = 0; g < G; g++) {
                        float m1 = Float.NEGATIVE_INFINITY, m2 = Float.NEGATIVE_INFINITY;
                        for (int e = g * per; e < (g + 1) * per; e++) {
                            float v = biased[r + e];
                            if (v > m1) { m2 = m1; m1 = v; } else if (v > m2) m2 = v;
                        }
                        groupScore[gr + g] = m1 + m2;
                    }
                    // Kept groups are marked NaN: NaN never compares greater, so a group is taken once.
                    for (int k = 0; k < topkGroup; k++) {
                        int best = -1;
                        float bv = Float.NEGATIVE_INFINITY;
                        for (int g = 0; g < G; g++) {
                            if (groupScore[gr + g] > bv) { bv = groupScore[gr + g]; best = g; }
                        }
                        groupScore[gr + best] = Float.NaN;
                    }
                    for (int g = 0; g < G; g++) {
                        if (!Float.isNaN(groupScore[gr + g])) {
                            for (int e = g * per; e < (g + 1) * per; e++) biased[r + e] = Float.NEGATIVE_INFINITY;
                        }
                    }
                }
                for (int k = 0; k < K; k++) {
                    int best = -1;
                    float bv = Float.NEGATIVE_INFINITY;
                    for (int e = 0; e < E; e++) {
                        if (biased[r + e] > bv) { bv = biased[r + e]; best = e; }
                    }
                    if (best < 0) throw new IllegalStateException("router: no eligible expert left (non-finite scores?)");
                    sel[t * K + k] = best;
                    biased[r + best] = Float.NaN;
                }
            }
        });
    }

    /** wts (N, K) = s[sel] (/ their sum when normalize) * scale. */
    public static void gateWeights(float[] wts, float[] s, int[] sel, int N, int E, int K, boolean normalize,
                            float scale) {
        for (int t = 0; t < N; t++) {
            float sum = 0f;
            for (int k = 0; k < K; k++) sum += s[t * E + sel[t * K + k]];
            for (int k = 0; k < K; k++) {
                float w = s[t * E + sel[t * K + k]];
                if (normalize) w /= sum;
                wts[t * K + k] = w * scale;
            }
        }
    }

    /** dScores (N, E) += d/ds through the gate weights, given dWts (N, K). */
    static void backwardGateWeights(float[] dScores, float[] dWts, float[] s, int[] sel, int N, int E, int K,
                                    boolean normalize, float scale) {
        Parallel.forRange(N, 256, (from, to) -> {
            for (int t = from; t < to; t++) {
                if (!normalize) {
                    for (int k = 0; k < K; k++) dScores[t * E + sel[t * K + k]] += scale * dWts[t * K + k];
                    continue;
                }
                // w_k = scale * s_k / S: ds_k = scale/S * (dw_k - sum_j dw_j s_j / S)
                float sum = 0f, dot = 0f;
                for (int k = 0; k < K; k++) {
                    float sk = s[t * E + sel[t * K + k]];
                    sum += sk;
                    dot += dWts[t * K + k] * sk;
                }
                float inv = 1f / sum;
                for (int k = 0; k < K; k++) {
                    dScores[t * E + sel[t * K + k]] += scale * inv * (dWts[t * K + k] - dot * inv);
                }
            }
        });
    }

    /**
     * The sequence-wise balance loss of the DeepSeek-V3 report (eqs. 17-20), without alpha, averaged over the
     * B sequences: per sequence, f_i = E/(K*T) * (tokens choosing i), P_i = mean_t s_{i,t}/sum_j s_{j,t},
     * L = sum_i f_i P_i. frac (B, E) receives f for backward.
     */
    static float balanceLoss(float[] frac, float[] s, int[] sel, int B, int T, int E, int K) {
        double total = 0;
        for (int b = 0; b < B; b++) {
            int fr = b * E;
            Arrays.fill(frac, fr, fr + E, 0f);
            for (int t = b * T; t < (b + 1) * T; t++) for (int k = 0; k < K; k++) frac[fr + sel[t * K + k]] += 1f;
            float f = (float) E / ((float) K * T);
            for (int e = 0; e < E; e++) frac[fr + e] *= f;
            double lb = 0;
            for (int t = b * T; t < (b + 1) * T; t++) {
                int r = t * E;
                double sum = 0, dot = 0;
                for (int e = 0; e < E; e++) {
                    sum += s[r + e];
                    dot += frac[fr + e] * s[r + e];
                }
                lb += dot / sum;
            }
            total += lb / T;
        }
        return (float) (total / B);
    }

    /** dScores (N, E) += alpha * d(balanceLoss)/ds, with f held constant (counts are not differentiable). */
    static void backwardBalance(float[] dScores, float alpha, float[] frac, float[] s, int B, int T, int E) {
        float c = alpha / ((float) T * B);
        Parallel.forRange(B * T, 256, (from, to) -> {
            for (int t = from; t < to; t++) {
                int r = t * E, fr = (t / T) * E;
                // L_t = c * sum_e f_e s_e / S: dL/ds_e = c * (f_e - sum_j f_j s_j / S) / S
                float sum = 0f, dot = 0f;
                for (int e = 0; e < E; e++) {
                    sum += s[r + e];
                    dot += frac[fr + e] * s[r + e];
                }
                float inv = 1f / sum;
                for (int e = 0; e < E; e++) dScores[r + e] += c * inv * (frac[fr + e] - dot * inv);
            }
        });
    }

    /** dLogits (N, E) = ds/dlogits^T . dScores (overwrites). */
    static void backwardScores(float[] dLogits, float[] dScores, float[] s, int N, int E, boolean softmax) {
        Parallel.forRange(N, Math.max(1, 4096 / E), (from, to) -> {
            for (int t = from; t < to; t++) {
                int r = t * E;
                if (softmax) {
                    float dot = 0f;
                    for (int e = 0; e < E; e++) dot += dScores[r + e] * s[r + e];
                    for (int e = 0; e < E; e++) dLogits[r + e] = s[r + e] * (dScores[r + e] - dot);
                } else {
                    for (int e = 0; e < E; e++) dLogits[r + e] = dScores[r + e] * s[r + e] * (1f - s[r + e]);
                }
            }
        });
    }
}
