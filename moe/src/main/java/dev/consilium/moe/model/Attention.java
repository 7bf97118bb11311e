package dev.consilium.moe.model;

import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * MLA's causal attention core, per (sequence, head). Each head's key is [k_nope (dn) | k_pe (dr)] where
 * k_pe is one rotary key shared by all heads; its query is [q_nope (dn) | q_pe (dr)]; D = dn + dr.
 * score(i, j) = q_i . k_j * scale for j <= i; out_i = softmax_j(score) . v_j.
 * <p>
 * Backward recomputes the probabilities from the saved log-sum-exp (as FlashAttention does) instead of
 * keeping (B, nh, T, T) probabilities, so memory grows with T, not T^2. Keys and values are copied into
 * per-task transposed buffers so the inner loops run over key positions j in vector lanes.
 */
final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Attention() {}

    /** Per-thread buffers; every task overwrites what it reads, so which thread runs it cannot matter. */
    private static final class Scratch {
        float[] kt = new float[0], vt = new float[0], v = new float[0], dkt = new float[0], dvt = new float[0];
        float[] s = new float[0], dp = new float[0];

        Scratch ensure(int Tp, int D, int dv) {
            if (kt.length < D * Tp) { kt = new float[D * Tp]; dkt = new float[D * Tp]; }
            if (vt.length < dv * Tp) { vt = new float[dv * Tp]; dvt = new float[dv * Tp]; v = new float[dv * Tp]; }
            if (s.length < Tp) { s = new float[Tp]; dp = new float[Tp]; }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Key positions padded so four-vector blocks never run past the buffers. */
    private static int padded(int T) {
        return (T + 4 * L - 1) / (4 * L) * (4 * L);
    }

    /**
     * out (N, nh*dv) with N = B*T. q: head h of row n at qOff + n*qStride + h*D. kv (N, nh*(dn+dv)): head h
     * is [k_nope | v]. kpe (N, dr). lse (B, nh, T): log-sum-exp of each query's scores, for backward.
     */
    static void forward(float[] out, float[] lse, float[] q, int qOff, int qStride, float[] kv, float[] kpe,
                        int B, int T, int nh, int dn, int dr, int dv, float scale) {
        int D = dn + dr, Tp = padded(T);
        Parallel.forEach(B * nh, 1, bh -> {
            int b = bh / nh, h = bh % nh;
            Scratch sc = SCRATCH.get().ensure(Tp, D, dv);
            float[] kt = sc.kt, v = sc.v, s = sc.s;
            loadKeys(kt, null, v, kv, kpe, b, h, T, Tp, nh, dn, dr, dv);
            for (int i = 0; i < T; i++) {
                int n = b * T + i, len = i + 1;
                int end = scores(s, q, qOff + n * qStride + h * D, kt, Tp, D, len, scale);
                maskFuture(s, len, end);
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) max = Math.max(max, s[j]);
                FloatVector sum = FloatVector.zero(S);
                for (int j = 0; j < end; j += L) {
                    FloatVector e = FloatVector.fromArray(S, s, j).sub(max).lanewise(VectorOperators.EXP);
                    e.intoArray(s, j);
                    sum = sum.add(e);
                }
                float total = sum.reduceLanes(VectorOperators.ADD);
                lse[bh * T + i] = max + (float) Math.log(total);
                float inv = 1f / total;
                weightedRows(out, n * nh * dv + h * dv, s, v, len, dv, inv);
            }
        });
    }

    /**
     * Writes (overwrites) dq (same layout as q), dkv (as kv) and dkpeHeads (N, nh, dr): each head's share of
     * the shared key's gradient, summed over heads by the caller in a fixed order.
     */
    static void backward(float[] dq, float[] dkv, float[] dkpeHeads, float[] dout, float[] q, int qOff, int qStride,
                         float[] kv, float[] kpe, float[] lse, int B, int T, int nh, int dn, int dr, int dv,
                         float scale) {
        int D = dn + dr, Tp = padded(T);
        Parallel.forEach(B * nh, 1, bh -> {
            int b = bh / nh, h = bh % nh;
            Scratch sc = SCRATCH.get().ensure(Tp, D, dv);
            float[] kt = sc.kt, vt = sc.vt, dkt = sc.dkt, dvt = sc.dvt, p = sc.s, dp = sc.dp;
            loadKeys(kt, vt, null, kv, kpe, b, h, T, Tp, nh, dn, dr, dv);
            Arrays.fill(dkt, 0, D * Tp, 0f);
            Arrays.fill(dvt, 0, dv * Tp, 0f);
            for (int i = 0; i < T; i++) {
                int n = b * T + i, len = i + 1;
                int qRow = qOff + n * qStride + h * D, oRow = n * nh * dv + h * dv;
                int end = scores(p, q, qRow, kt, Tp, D, len, scale);
                maskFuture(p, len, end);
                float m = lse[bh * T + i];
                for (int j = 0; j < end; j += L) {
                    FloatVector.fromArray(S, p, j).sub(m).lanewise(VectorOperators.EXP).intoArray(p, j);
                }
                // dP_ij = dO_i . v_j, the same product as the scores with values in place of keys
                scores(dp, dout, oRow, vt, Tp, dv, len, 1f);
                FloatVector acc = FloatVector.zero(S);
                for (int j = 0; j < end; j += L) {
                    acc = FloatVector.fromArray(S, p, j).fma(FloatVector.fromArray(S, dp, j), acc);
                }
                float rowDot = acc.reduceLanes(VectorOperators.ADD);
                // dS = P * (dP - sum_j P dP) * scale; lanes past the diagonal have P = 0
                for (int j = 0; j < end; j += L) {
                    FloatVector pj = FloatVector.fromArray(S, p, j);
                    pj.mul(FloatVector.fromArray(S, dp, j).sub(rowDot)).mul(scale).intoArray(dp, j);
                }
                for (int d = 0; d < D; d++) {
                    int kr = d * Tp;
                    FloatVector a = FloatVector.zero(S);
                    for (int j = 0; j < end; j += L) {
                        a = FloatVector.fromArray(S, dp, j).fma(FloatVector.fromArray(S, kt, kr + j), a);
                    }
                    dq[qRow + d] = a.reduceLanes(VectorOperators.ADD);
                    FloatVector qd = FloatVector.broadcast(S, q[qRow + d]);
                    for (int j = 0; j < end; j += L) {
                        FloatVector.fromArray(S, dp, j).fma(qd, FloatVector.fromArray(S, dkt, kr + j)).intoArray(dkt, kr + j);
                    }
                }
                for (int c = 0; c < dv; c++) {
                    int vr = c * Tp;
                    FloatVector g = FloatVector.broadcast(S, dout[oRow + c]);
                    for (int j = 0; j < end; j += L) {
                        FloatVector.fromArray(S, p, j).fma(g, FloatVector.fromArray(S, dvt, vr + j)).intoArray(dvt, vr + j);
                    }
                }
            }
            int kvS = nh * (dn + dv);
            for (int t = 0; t < T; t++) {
                int n = b * T + t, row = n * kvS + h * (dn + dv);
                for (int d = 0; d < dn; d++) dkv[row + d] = dkt[d * Tp + t];
                for (int c = 0; c < dv; c++) dkv[row + dn + c] = dvt[c * Tp + t];
                int pe = (n * nh + h) * dr;
                for (int d = 0; d < dr; d++) dkpeHeads[pe + d] = dkt[(dn + d) * Tp + t];
            }
        });
    }

    /**
     * kt (D, Tp): keys transposed, padding columns zeroed so padded lanes stay finite. vt (dv, Tp) and/or
     * v (T, dv) receive the values when non-null.
     */
    private static void loadKeys(float[] kt, float[] vt, float[] v, float[] kv, float[] kpe, int b, int h,
                                 int T, int Tp, int nh, int dn, int dr, int dv) {
        int kvS = nh * (dn + dv), D = dn + dr;
        for (int t = 0; t < T; t++) {
            int n = b * T + t, row = n * kvS + h * (dn + dv);
            for (int d = 0; d < dn; d++) kt[d * Tp + t] = kv[row + d];
            for (int d = 0; d < dr; d++) kt[(dn + d) * Tp + t] = kpe[n * dr + d];
            if (vt != null) for (int c = 0; c < dv; c++) vt[c * Tp + t] = kv[row + dn + c];
            if (v != null) System.arraycopy(kv, row + dn, v, t * dv, dv);
        }
        for (int d = 0; d < D; d++) Arrays.fill(kt, d * Tp + T, d * Tp + Tp, 0f);
        if (vt != null) for (int c = 0; c < dv; c++) Arrays.fill(vt, c * Tp + T, c * Tp + Tp, 0f);
    }

    /**
     * s[j] = (x[xRow..xRow+D) . kt[:, j]) * scale for j < len, in vector blocks up to the returned end (len
     * rounded up to the lane count); lanes in [len, end) hold finite values that belong to no query.
     */
    private static int scores(float[] s, float[] x, int xRow, float[] kt, int Tp, int D, int len, float scale) {
        int end = (len + L - 1) / L * L;
        int j = 0;
        for (; j + 4 * L <= end; j += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < D; d++) {
                FloatVector xd = FloatVector.broadcast(S, x[xRow + d]);
                int k = d * Tp + j;
                a0 = FloatVector.fromArray(S, kt, k).fma(xd, a0);
                a1 = FloatVector.fromArray(S, kt, k + L).fma(xd, a1);
                a2 = FloatVector.fromArray(S, kt, k + 2 * L).fma(xd, a2);
                a3 = FloatVector.fromArray(S, kt, k + 3 * L).fma(xd, a3);
            }
            a0.mul(scale).intoArray(s, j);
            a1.mul(scale).intoArray(s, j + L);
            a2.mul(scale).intoArray(s, j + 2 * L);
            a3.mul(scale).intoArray(s, j + 3 * L);
        }
        for (; j < end; j += L) {
            FloatVector a = FloatVector.zero(S);
            for (int d = 0; d < D; d++) {
                a = FloatVector.fromArray(S, kt, d * Tp + j).fma(FloatVector.broadcast(S, x[xRow + d]), a);
            }
            a.mul(scale).intoArray(s, j);
        }
        return end;
    }

    /** Causal mask on the padded lanes: exp() turns -inf into probability 0. */
    private static void maskFuture(float[] s, int len, int end) {
        for (int k = len; k < end; k++) s[k] = Float.NEGATIVE_INFINITY;
    }

    /** out[o..o+dv) = inv * sum_{j<len} p[j] * v[j, :], vector over the value channels. */
    private static void weightedRows(float[] out, int o, float[] p, float[] v, int len, int dv, float inv) {
        int c = 0;
        for (; c + L <= dv; c += L) {
            FloatVector a = FloatVector.zero(S);
            for (int j = 0; j < len; j++) a = FloatVector.fromArray(S, v, j * dv + c).fma(FloatVector.broadcast(S, p[j]), a);
            a.mul(inv).intoArray(out, o + c);
        }
        for (; c < dv; c++) {
            float a = 0f;
            for (int j = 0; j < len; j++) a += p[j] * v[j * dv + c];
            out[o + c] = a * inv;
        }
    }
}
