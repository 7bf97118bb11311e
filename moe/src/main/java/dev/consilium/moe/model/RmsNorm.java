package dev.consilium.moe.model;

import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * RMSNorm over the last dimension: y = x / sqrt(mean(x^2) + eps) * w, as torch's F.rms_norm. N = rows,
 * C = channels. Rows are addressed as {@code off + n * stride} so a norm can read a slice of a wider row
 * (the latent part of kv_a's output) or write into one (half of MTP's concatenation).
 */
public final class RmsNorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private RmsNorm() {}

    /** x rows (N, C) at xOff + n*xStride; y likewise; w (C) at wOff; rstd (N) at rOff, kept for backward. */
    public static void forward(float[] y, int yOff, int yStride, float[] x, int xOff, int xStride,
                        float[] w, int wOff, float[] rstd, int rOff, int N, int C, float eps) {
        Parallel.forRange(N, Math.max(1, 16384 / C), (from, to) -> {
            int bound = S.loopBound(C);
            for (int n = from; n < to; n++) {
                int xr = xOff + n * xStride, yr = yOff + n * yStride;
                FloatVector acc = FloatVector.zero(S);
                int c = 0;
                for (; c < bound; c += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, x, xr + c);
                    acc = v.fma(v, acc);
                }
                float ss = VecMath.sum(acc);
                for (; c < C; c++) ss += x[xr + c] * x[xr + c];
                float r = (float) (1.0 / Math.sqrt(ss / C + eps));
                rstd[rOff + n] = r;
                c = 0;
                for (; c < bound; c += S.length()) {
                    FloatVector v = FloatVector.fromArray(S, x, xr + c);
                    v.mul(r).mul(FloatVector.fromArray(S, w, wOff + c)).intoArray(y, yr + c);
                }
                for (; c < C; c++) y[yr + c] = x[xr + c] * r * w[wOff + c];
            }
        });
    }

    /**
     * Accumulates dx (rows as x) += d/dx and dw (C) += d/dw, given dy. dw is summed over rows in a pass over
     * column blocks, so each dw element is written by one task in row order: bit-identical at any thread count.
     */
    static void backward(float[] dx, int dxOff, int dxStride, float[] dw, int dwOff,
                         float[] dy, int dyOff, int dyStride, float[] x, int xOff, int xStride,
                         float[] w, int wOff, float[] rstd, int rOff, int N, int C) {
        Parallel.forRange(N, Math.max(1, 8192 / C), (from, to) -> {
            int bound = S.loopBound(C);
            for (int n = from; n < to; n++) {
                int xr = xOff + n * xStride, gr = dyOff + n * dyStride, dr = dxOff + n * dxStride;
                float r = rstd[rOff + n];
                // y = x*r*w with r = (mean(x^2)+eps)^-1/2, so dr/dx = -r^3 x / C: dx = r*w*dy - x * r^3/C * sum(dy*w*x).
                FloatVector acc = FloatVector.zero(S);
                int c = 0;
                for (; c < bound; c += S.length()) {
                    acc = FloatVector.fromArray(S, dy, gr + c).mul(FloatVector.fromArray(S, w, wOff + c))
                            .fma(FloatVector.fromArray(S, x, xr + c), acc);
                }
                float dot = VecMath.sum(acc);
                for (; c < C; c++) dot += dy[gr + c] * w[wOff + c] * x[xr + c];
                float k = dot * r * r * r / C;
                c = 0;
                for (; c < bound; c += S.length()) {
                    FloatVector g = FloatVector.fromArray(S, dy, gr + c).mul(FloatVector.fromArray(S, w, wOff + c));
                    FloatVector d = FloatVector.fromArray(S, dx, dr + c);
                    d.add(g.mul(r)).sub(FloatVector.fromArray(S, x, xr + c).mul(k)).intoArray(dx, dr + c);
                }
                for (; c < C; c++) dx[dr + c] += dy[gr + c] * w[wOff + c] * r - x[xr + c] * k;
            }
        });
        int block = 64;
        Parallel.forEach((C + block - 1) / block, 1, blk -> {
            int c0 = blk * block, c1 = Math.min(C, c0 + block);
            for (int n = 0; n < N; n++) {
                int xr = xOff + n * xStride, gr = dyOff + n * dyStride;
                float r = rstd[rOff + n];
                int c = c0;
                for (; c + S.length() <= c1; c += S.length()) {
                    FloatVector d = FloatVector.fromArray(S, dw, dwOff + c);
                    d.add(FloatVector.fromArray(S, dy, gr + c).mul(FloatVector.fromArray(S, x, xr + c)).mul(r))
                            .intoArray(dw, dwOff + c);
                }
                for (; c < c1; c++) dw[dwOff + c] += dy[gr + c] * x[xr + c] * r;
            }
        });
    }
}
