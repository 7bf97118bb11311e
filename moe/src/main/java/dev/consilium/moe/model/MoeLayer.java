package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Matmul;
import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * DeepSeekMoE: out = sum_k w_k * expert_{sel_k}(x) + shared(x). Tokens are grouped per expert (each expert's
 * rows gathered into one contiguous block, in token order), each block runs through the expert's SwiGLU as
 * matmuls, results land in a per-(token, slot) row, and each token sums its K slots in slot order, so the
 * output does not depend on thread count or scheduling. Experts run in parallel.
 * <p>
 * Routed experts are {@code mlp.experts.E.{gate,up,down}_proj}; the shared experts are one SwiGLU of width
 * n_shared_experts * moe_intermediate_size. The selection bias {@code mlp.gate.e_score_correction_bias} lives
 * in the buffers array: it is updated by the load-balancing rule, never by gradients.
 */
final class MoeLayer implements FeedForward {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    final String name;
    final int H, E, K, I, nGroup, topkGroup;
    final boolean softmax, normalize;
    final float scale;
    /** Offsets: gate (E, H) in params; expert e's gate_proj at experts + e*3*I*H; bias (E) in buffers. */
    final int gate, experts, bias;
    final Mlp shared;

    /** Load since the last bias update: routed (token, slot) pairs per expert. */
    final long[] load;
    boolean holdRouting;
    private int routedN = -1;
    private float balance;

    // activations, N = B*T rows, NK = N*K expert rows
    private float[] logits, s, biased, groupScore, wts, frac, xg, gu, act, eo, sharedOut;
    private int[] sel, pos, rowToken, count, start, cursor;

    MoeLayer(FlatLayout layout, FlatLayout bufferLayout, String prefix, ModelConfig c) {
        this.name = prefix;
        H = c.hiddenSize();
        E = c.nRoutedExperts();
        K = c.numExpertsPerTok();
        I = c.moeIntermediateSize();
        nGroup = c.nGroup();
        topkGroup = c.topkGroup();
        softmax = "softmax".equals(c.scoringFunc());
        // The reference renormalizes the chosen weights only for sigmoid scores (softmax ones already share a
        // simplex); norm_topk_prob = false turns it off as in HF.
        normalize = !softmax && c.normTopkProb();
        scale = c.routedScalingFactor();
        gate = layout.add(prefix + "gate.weight", FlatLayout.Init.NORMAL, E, H);
        int first = -1;
        for (int e = 0; e < E; e++) {
            int off = Mlp.register(layout, prefix + "experts." + e + ".", H, I);
            if (e == 0) first = off;
        }
        experts = first;
        shared = c.nSharedExperts() > 0
                ? new Mlp(layout, prefix + "shared_experts.", H, c.nSharedExperts() * I) : null;
        bias = bufferLayout.add(prefix + "gate.e_score_correction_bias", FlatLayout.Init.ZEROS, E);
        load = new long[E];
    }

    @Override
    public void allocate(int N) {
        int NK = N * K;
        logits = new float[N * E];
        s = new float[N * E];
        biased = new float[N * E];
        groupScore = new float[N * nGroup];
        wts = new float[NK];
        frac = new float[N * E];
        xg = new float[NK * H];
        gu = new float[NK * 2 * I];
        act = new float[NK * I];
        eo = new float[NK * H];
        sel = new int[NK];
        pos = new int[NK];
        rowToken = new int[NK];
        count = new int[E];
        start = new int[E + 1];
        cursor = new int[E];
        if (shared != null) {
            shared.allocate(N);
            sharedOut = new float[N * H];
        }
        routedN = -1;
    }

    /** The sequence-wise balance loss (without alpha) of the last training forward. */
    float balanceLoss() {
        return balance;
    }

    /** Read access for tests: scores (N, E), selection (N, K), gate weights (N, K) of the last forward. */
    float[] scores() { return s; }
    int[] selection() { return sel; }
    float[] gateWeights() { return wts; }

    @Override
    public void forward(float[] P, float[] buffers, float[] x, float[] out, int B, int T, boolean training) {
        int N = B * T;
        Matmul.forward(logits, 0, x, 0, P, gate, N, H, E);
        MoeRouter.scores(s, logits, N, E, softmax);
        if (!holdRouting || routedN != N) {
            if (holdRouting) throw new IllegalStateException(name + ": routing is held but no forward of "
                    + N + " tokens has chosen it");
            MoeRouter.select(sel, biased, groupScore, s, buffers, bias, N, E, K, nGroup, topkGroup);
            routedN = N;
        }
        MoeRouter.gateWeights(wts, s, sel, N, E, K, normalize, scale);
        group(N);
        Parallel.forRange(N * K, Math.max(1, 4096 / H), (from, to) -> {
            for (int p = from; p < to; p++) System.arraycopy(x, rowToken[p] * H, xg, p * H, H);
        });
        Parallel.forEach(E, 1, e -> {
            int c = count[e], st = start[e];
            if (c > 0) Mlp.forwardRows(P, expert(e), H, I, xg, st * H, gu, st * 2 * I, act, st * I, eo, st * H, c);
        });
        if (shared != null) shared.forward(P, buffers, x, sharedOut, B, T, training);
        Parallel.forRange(N, Math.max(1, 2048 / H), (from, to) -> {
            for (int t = from; t < to; t++) combine(out, t);
        });
        if (training) {
            for (int e = 0; e < E; e++) load[e] += count[e];
            balance = MoeRouter.balanceLoss(frac, s, sel, B, T, E, K);
        }
    }

    private int expert(int e) {
        return experts + e * 3 * I * H;
    }

    /** Expert-ordered rows: expert e owns rows [start[e], start[e+1]) in token order; pos maps (t, k) to its row. */
    private void group(int N) {
        Arrays.fill(count, 0);
        for (int i = 0; i < N * K; i++) count[sel[i]]++;
        start[0] = 0;
        for (int e = 0; e < E; e++) start[e + 1] = start[e] + count[e];
        System.arraycopy(start, 0, cursor, 0, E);
        for (int t = 0; t < N; t++) {
            for (int k = 0; k < K; k++) {
                int p = cursor[sel[t * K + k]]++;
                pos[t * K + k] = p;
                rowToken[p] = t;
            }
        }
    }

    /** out[t] = (sum_k w_k * eo[pos(t,k)], in slot order) + shared[t]. */
    private void combine(float[] out, int t) {
        int o = t * H, c = 0;
        for (; c < S.loopBound(H); c += S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (int k = 0; k < K; k++) {
                acc = FloatVector.fromArray(S, eo, pos[t * K + k] * H + c).fma(FloatVector.broadcast(S, wts[t * K + k]), acc);
            }
            if (shared != null) acc = acc.add(FloatVector.fromArray(S, sharedOut, o + c));
            acc.intoArray(out, o + c);
        }
        for (; c < H; c++) {
            float acc = 0f;
            for (int k = 0; k < K; k++) acc += wts[t * K + k] * eo[pos[t * K + k] * H + c];
            if (shared != null) acc += sharedOut[o + c];
            out[o + c] = acc;
        }
    }

    @Override
    public void backward(float[] P, float[] G, float[] dout, float[] x, float[] dx, int B, int T,
                         float balanceWeight, BackwardScratch sc) {
        int N = B * T, NK = N * K;
        if (shared != null) shared.backward(P, G, dout, x, dx, B, T, balanceWeight, sc);
        float[] dwts = sc.get(BackwardScratch.Slot.MOE_DWTS, NK);
        float[] deo = sc.get(BackwardScratch.Slot.MOE_DEO, NK * H);
        // per slot: dL/dw = dout . expert output; the expert's output gradient is w * dout
        Parallel.forRange(N, Math.max(1, 2048 / H), (from, to) -> {
            for (int t = from; t < to; t++) {
                for (int k = 0; k < K; k++) {
                    int p = pos[t * K + k] * H, o = t * H;
                    float w = wts[t * K + k];
                    FloatVector acc = FloatVector.zero(S);
                    int c = 0;
                    for (; c < S.loopBound(H); c += S.length()) {
                        FloatVector g = FloatVector.fromArray(S, dout, o + c);
                        acc = g.fma(FloatVector.fromArray(S, eo, p + c), acc);
                        g.mul(w).intoArray(deo, p + c);
                    }
                    float dot = VecMath.sum(acc);
                    for (; c < H; c++) {
                        dot += dout[o + c] * eo[p + c];
                        deo[p + c] = w * dout[o + c];
                    }
                    dwts[t * K + k] = dot;
                }
            }
        });
        float[] dact = sc.get(BackwardScratch.Slot.MOE_DACT, NK * I);
        float[] dgu = sc.get(BackwardScratch.Slot.MOE_DGU, NK * 2 * I);
        float[] dxg = sc.zeroed(BackwardScratch.Slot.MOE_DXG, NK * H);
        Parallel.forEach(E, 1, e -> {
            int c = count[e], st = start[e];
            if (c > 0) {
                Mlp.backwardRows(P, G, expert(e), H, I, deo, st * H, xg, st * H, gu, st * 2 * I, act, st * I,
                        dact, st * I, dgu, st * 2 * I, dxg, st * H, c);
            }
        });
        Parallel.forRange(N, Math.max(1, 2048 / H), (from, to) -> {
            for (int t = from; t < to; t++) {
                int o = t * H, c = 0;
                for (; c < S.loopBound(H); c += S.length()) {
                    FloatVector acc = FloatVector.fromArray(S, dx, o + c);
                    for (int k = 0; k < K; k++) acc = acc.add(FloatVector.fromArray(S, dxg, pos[t * K + k] * H + c));
                    acc.intoArray(dx, o + c);
                }
                for (; c < H; c++) {
                    float acc = dx[o + c];
                    for (int k = 0; k < K; k++) acc += dxg[pos[t * K + k] * H + c];
                    dx[o + c] = acc;
                }
            }
        });
        float[] dScores = sc.zeroed(BackwardScratch.Slot.MOE_DSCORES, N * E);
        MoeRouter.backwardGateWeights(dScores, dwts, s, sel, N, E, K, normalize, scale);
        if (balanceWeight != 0f) MoeRouter.backwardBalance(dScores, balanceWeight, frac, s, B, T, E);
        float[] dLogits = sc.get(BackwardScratch.Slot.MOE_DLOGITS, N * E);
        MoeRouter.backwardScores(dLogits, dScores, s, N, E, softmax);
        Matmul.backwardWeight(G, gate, dLogits, 0, x, 0, N, H, E);
        Matmul.backwardInput(dx, 0, dLogits, 0, P, gate, N, H, E);
    }

    /** bias_i += gamma * sign(mean load - load_i), then the counts restart. */
    void updateBias(float[] buffers, float gamma) {
        long total = 0;
        for (long l : load) total += l;
        if (total > 0 && gamma != 0f) {
            double mean = (double) total / E;
            for (int e = 0; e < E; e++) buffers[bias + e] += gamma * (float) Math.signum(mean - load[e]);
        }
        Arrays.fill(load, 0);
    }
}
