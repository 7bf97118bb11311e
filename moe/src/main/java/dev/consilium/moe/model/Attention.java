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
 * per-task buffers, transposed where the inner loop runs over key positions j in vector lanes. Queries go
 * in tiles of QT: every key vector loaded serves QT queries, which keeps the kernel off the L2 bandwidth
 * limit that one query at a time hits once D * T floats outgrow L1.
 */
final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Queries per tile; the tile kernels below are unrolled for exactly four. */
    private static final int QT = 4;

    private Attention() {}

    /** Per-thread buffers; every task overwrites what it reads, so which thread runs it cannot matter. */
    private static final class Scratch {
        float[] kt = new float[0], k = new float[0], dkt = new float[0];
        float[] vt = new float[0], v = new float[0], dvt = new float[0];
        float[] s = new float[0], dp = new float[0];
        final float[] scale = new float[QT];

        Scratch ensure(int Tp, int D, int dv) {
            if (kt.length < D * Tp) { kt = new float[D * Tp]; k = new float[D * Tp]; dkt = new float[D * Tp]; }
            if (vt.length < dv * Tp) { vt = new float[dv * Tp]; v = new float[dv * Tp]; dvt = new float[dv * Tp]; }
            if (s.length < QT * Tp) { s = new float[QT * Tp]; dp = new float[QT * Tp]; }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Key positions padded to whole vectors (plus one tile) so vector loops never run past the buffers. */
    private static int padded(int T) {
        return (T + QT + L - 1) / L * L;
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
            loadKeys(kt, null, null, v, kv, kpe, b, h, T, Tp, nh, dn, dr, dv);
            for (int i0 = 0; i0 < T; i0 += QT) {
                int nq = Math.min(QT, T - i0), maxLen = i0 + nq, end = roundUp(maxLen);
                int qBase = qOff + (b * T + i0) * qStride + h * D;
                scoreTile(s, Tp, q, qBase, qStride, nq, kt, Tp, D, end, scale);
                for (int r = 0; r < QT; r++) {
                    int row = r * Tp;
                    if (r >= nq) {
                        Arrays.fill(s, row, row + end, 0f);
                        continue;
                    }
                    maskFuture(s, row + i0 + r + 1, row + end);
                    FloatVector mv = FloatVector.fromArray(S, s, row);
                    for (int j = L; j < end; j += L) mv = mv.max(FloatVector.fromArray(S, s, row + j));
                    float max = mv.reduceLanes(VectorOperators.MAX);
                    FloatVector sum = FloatVector.zero(S);
                    for (int j = 0; j < end; j += L) {
                        FloatVector e = VecMath.exp(FloatVector.fromArray(S, s, row + j).sub(max));
                        e.intoArray(s, row + j);
                        sum = sum.add(e);
                    }
                    float total = VecMath.sum(sum);
                    lse[bh * T + i0 + r] = max + (float) Math.log(total);
                    sc.scale[r] = 1f / total;
                }
                combineTile(out, (b * T + i0) * nh * dv + h * dv, nh * dv, nq, s, Tp, v, dv, maxLen, sc.scale);
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
            float[] kt = sc.kt, kRows = sc.k, vt = sc.vt, dkt = sc.dkt, dvt = sc.dvt, p = sc.s, dp = sc.dp;
            loadKeys(kt, kRows, vt, null, kv, kpe, b, h, T, Tp, nh, dn, dr, dv);
            Arrays.fill(dkt, 0, D * Tp, 0f);
            Arrays.fill(dvt, 0, dv * Tp, 0f);
            Arrays.fill(sc.scale, 1f);
            for (int i0 = 0; i0 < T; i0 += QT) {
                int nq = Math.min(QT, T - i0), maxLen = i0 + nq, end = roundUp(maxLen);
                int qBase = qOff + (b * T + i0) * qStride + h * D, oBase = (b * T + i0) * nh * dv + h * dv;
                scoreTile(p, Tp, q, qBase, qStride, nq, kt, Tp, D, end, scale);
                // dP_ij = dO_i . v_j: the same product as the scores, with values in place of keys
                scoreTile(dp, Tp, dout, oBase, nh * dv, nq, vt, Tp, dv, end, 1f);
                for (int r = 0; r < QT; r++) {
                    int row = r * Tp;
                    if (r >= nq) {
                        Arrays.fill(p, row, row + end, 0f);
                        Arrays.fill(dp, row, row + end, 0f);
                        continue;
                    }
                    maskFuture(p, row + i0 + r + 1, row + end);
                    float m = lse[bh * T + i0 + r];
                    FloatVector acc = FloatVector.zero(S);
                    for (int j = 0; j < end; j += L) {
                        FloatVector pj = VecMath.exp(FloatVector.fromArray(S, p, row + j).sub(m));
                        pj.intoArray(p, row + j);
                        acc = pj.fma(FloatVector.fromArray(S, dp, row + j), acc);
                    }
                    float rowDot = VecMath.sum(acc);
                    // dS = P * (dP - sum_j P dP) * scale; masked lanes have P = 0
                    for (int j = 0; j < end; j += L) {
                        FloatVector pj = FloatVector.fromArray(S, p, row + j);
                        pj.mul(FloatVector.fromArray(S, dp, row + j).sub(rowDot)).mul(scale).intoArray(dp, row + j);
                    }
                }
                combineTile(dq, qBase, qStride, nq, dp, Tp, kRows, D, maxLen, sc.scale);
                accumulateTile(dkt, D, q, qBase, qStride, nq, dp, Tp, end);
                accumulateTile(dvt, dv, dout, oBase, nh * dv, nq, p, Tp, end);
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

    private static int roundUp(int len) {
        return (len + L - 1) / L * L;
    }

    /**
     * kt (D, Tp): keys transposed, padding columns zeroed so padded lanes stay finite. When non-null, k (T, D)
     * receives the keys as rows, vt (dv, Tp) the values transposed and v (T, dv) the values as rows.
     */
    private static void loadKeys(float[] kt, float[] k, float[] vt, float[] v, float[] kv, float[] kpe, int b,
                                 int h, int T, int Tp, int nh, int dn, int dr, int dv) {
        int kvS = nh * (dn + dv), D = dn + dr, base = b * T * kvS + h * (dn + dv);
        // transposes run channel-outer: the strided reads stay in L1 (T rows, one line per 16 channels)
        // while the writes stream along a contiguous row
        for (int d = 0; d < dn; d++) {
            for (int t = 0, src = base + d; t < T; t++, src += kvS) kt[d * Tp + t] = kv[src];
        }
        for (int d = 0; d < dr; d++) {
            for (int t = 0, src = b * T * dr + d; t < T; t++, src += dr) kt[(dn + d) * Tp + t] = kpe[src];
        }
        if (vt != null) {
            for (int c = 0; c < dv; c++) {
                for (int t = 0, src = base + dn + c; t < T; t++, src += kvS) vt[c * Tp + t] = kv[src];
            }
        }
        for (int t = 0; t < T; t++) {
            int n = b * T + t, row = base + t * kvS;
            if (k != null) {
                System.arraycopy(kv, row, k, t * D, dn);
                System.arraycopy(kpe, n * dr, k, t * D + dn, dr);
            }
            if (v != null) System.arraycopy(kv, row + dn, v, t * dv, dv);
        }
        for (int d = 0; d < D; d++) Arrays.fill(kt, d * Tp + T, d * Tp + Tp, 0f);
        if (vt != null) for (int c = 0; c < dv; c++) Arrays.fill(vt, c * Tp + T, c * Tp + Tp, 0f);
    }

    /**
     * For the tile's queries r < QT (rows x[xBase + r*xStride ..+D), r clamped to the nq valid ones):
     * s[r*sStride + j] = (x_r . kt[:, j]) * scale for j < end (a multiple of L). Four queries times two key
     * vectors make eight independent accumulators per step over D.
     */
    private static void scoreTile(float[] s, int sStride, float[] x, int xBase, int xStride, int nq,
                                  float[] kt, int Tp, int D, int end, float scale) {
        int x0 = xBase, x1 = xBase + Math.min(1, nq - 1) * xStride;
        int x2 = xBase + Math.min(2, nq - 1) * xStride, x3 = xBase + Math.min(3, nq - 1) * xStride;
        int j = 0;
        for (; j + 2 * L <= end; j += 2 * L) {
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            for (int d = 0, k = j; d < D; d++, k += Tp) {
                FloatVector k0 = FloatVector.fromArray(S, kt, k), k1 = FloatVector.fromArray(S, kt, k + L);
                FloatVector q = FloatVector.broadcast(S, x[x0 + d]);
                a00 = k0.fma(q, a00);
                a01 = k1.fma(q, a01);
                q = FloatVector.broadcast(S, x[x1 + d]);
                a10 = k0.fma(q, a10);
                a11 = k1.fma(q, a11);
                q = FloatVector.broadcast(S, x[x2 + d]);
                a20 = k0.fma(q, a20);
                a21 = k1.fma(q, a21);
                q = FloatVector.broadcast(S, x[x3 + d]);
                a30 = k0.fma(q, a30);
                a31 = k1.fma(q, a31);
            }
            a00.mul(scale).intoArray(s, j);
            a01.mul(scale).intoArray(s, j + L);
            a10.mul(scale).intoArray(s, sStride + j);
            a11.mul(scale).intoArray(s, sStride + j + L);
            a20.mul(scale).intoArray(s, 2 * sStride + j);
            a21.mul(scale).intoArray(s, 2 * sStride + j + L);
            a30.mul(scale).intoArray(s, 3 * sStride + j);
            a31.mul(scale).intoArray(s, 3 * sStride + j + L);
        }
        if (j < end) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0, k = j; d < D; d++, k += Tp) {
                FloatVector k0 = FloatVector.fromArray(S, kt, k);
                a0 = k0.fma(FloatVector.broadcast(S, x[x0 + d]), a0);
                a1 = k0.fma(FloatVector.broadcast(S, x[x1 + d]), a1);
                a2 = k0.fma(FloatVector.broadcast(S, x[x2 + d]), a2);
                a3 = k0.fma(FloatVector.broadcast(S, x[x3 + d]), a3);
            }
            a0.mul(scale).intoArray(s, j);
            a1.mul(scale).intoArray(s, sStride + j);
            a2.mul(scale).intoArray(s, 2 * sStride + j);
            a3.mul(scale).intoArray(s, 3 * sStride + j);
        }
    }

    /** Causal mask on [from, to) of a score row: exp() turns -inf into probability 0. */
    private static void maskFuture(float[] s, int from, int to) {
        for (int k = from; k < to; k++) s[k] = Float.NEGATIVE_INFINITY;
    }

    /**
     * out[oBase + r*oStride + c] = scale[r] * sum_{j<len} coef[r*cStride + j] * rows[j*width + c] for the nq
     * valid queries r and c < width. Rows of coef past nq must be zero.
     */
    private static void combineTile(float[] out, int oBase, int oStride, int nq, float[] coef, int cStride,
                                    float[] rows, int width, int len, float[] scale) {
        int c = 0;
        for (; c + 2 * L <= width; c += 2 * L) {
            FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            for (int j = 0, r = c; j < len; j++, r += width) {
                FloatVector v0 = FloatVector.fromArray(S, rows, r), v1 = FloatVector.fromArray(S, rows, r + L);
                FloatVector p = FloatVector.broadcast(S, coef[j]);
                a00 = v0.fma(p, a00);
                a01 = v1.fma(p, a01);
                p = FloatVector.broadcast(S, coef[cStride + j]);
                a10 = v0.fma(p, a10);
                a11 = v1.fma(p, a11);
                p = FloatVector.broadcast(S, coef[2 * cStride + j]);
                a20 = v0.fma(p, a20);
                a21 = v1.fma(p, a21);
                p = FloatVector.broadcast(S, coef[3 * cStride + j]);
                a30 = v0.fma(p, a30);
                a31 = v1.fma(p, a31);
            }
            a00.mul(scale[0]).intoArray(out, oBase + c);
            a01.mul(scale[0]).intoArray(out, oBase + c + L);
            if (nq > 1) {
                a10.mul(scale[1]).intoArray(out, oBase + oStride + c);
                a11.mul(scale[1]).intoArray(out, oBase + oStride + c + L);
            }
            if (nq > 2) {
                a20.mul(scale[2]).intoArray(out, oBase + 2 * oStride + c);
                a21.mul(scale[2]).intoArray(out, oBase + 2 * oStride + c + L);
            }
            if (nq > 3) {
                a30.mul(scale[3]).intoArray(out, oBase + 3 * oStride + c);
                a31.mul(scale[3]).intoArray(out, oBase + 3 * oStride + c + L);
            }
        }
        for (; c + L <= width; c += L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0, r = c; j < len; j++, r += width) {
                FloatVector v0 = FloatVector.fromArray(S, rows, r);
                a0 = v0.fma(FloatVector.broadcast(S, coef[j]), a0);
                a1 = v0.fma(FloatVector.broadcast(S, coef[cStride + j]), a1);
                a2 = v0.fma(FloatVector.broadcast(S, coef[2 * cStride + j]), a2);
                a3 = v0.fma(FloatVector.broadcast(S, coef[3 * cStride + j]), a3);
            }
            a0.mul(scale[0]).intoArray(out, oBase + c);
            if (nq > 1) a1.mul(scale[1]).intoArray(out, oBase + oStride + c);
            if (nq > 2) a2.mul(scale[2]).intoArray(out, oBase + 2 * oStride + c);
            if (nq > 3) a3.mul(scale[3]).intoArray(out, oBase + 3 * oStride + c);
        }
        for (; c < width; c++) {
            for (int r = 0; r < nq; r++) {
                float a = 0f;
                for (int j = 0; j < len; j++) a += coef[r * cStride + j] * rows[j * width + c];
                out[oBase + r * oStride + c] = a * scale[r];
            }
        }
    }

    /**
     * dt[w*Tp + j] += sum_r x[xBase + r*xStride + w] * vec[r*vStride + j] for w < W, j < end: the key or
     * value gradient of a tile (x = queries or output gradients, vec = dS or P). Rows of vec past nq are zero.
     */
    private static void accumulateTile(float[] dt, int W, float[] x, int xBase, int xStride, int nq,
                                       float[] vec, int vStride, int end) {
        int x0 = xBase, x1 = xBase + Math.min(1, nq - 1) * xStride;
        int x2 = xBase + Math.min(2, nq - 1) * xStride, x3 = xBase + Math.min(3, nq - 1) * xStride;
        for (int w = 0, row = 0; w < W; w++, row += vStride) {
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + w]), b1 = FloatVector.broadcast(S, x[x1 + w]);
            FloatVector b2 = FloatVector.broadcast(S, x[x2 + w]), b3 = FloatVector.broadcast(S, x[x3 + w]);
            for (int j = 0; j < end; j += L) {
                FloatVector a = FloatVector.fromArray(S, dt, row + j);
                a = FloatVector.fromArray(S, vec, j).fma(b0, a);
                a = FloatVector.fromArray(S, vec, vStride + j).fma(b1, a);
                a = FloatVector.fromArray(S, vec, 2 * vStride + j).fma(b2, a);
                a = FloatVector.fromArray(S, vec, 3 * vStride + j).fma(b3, a);
                a.intoArray(dt, row + j);
            }
        }
    }
}
