package dev.consilium.moe.kernel;

/**
 * The linear layer's matrix products, laid out as PyTorch's {@code nn.Linear} and safetensors store them:
 * {@code out (N, OC) = inp (N, C) · w^T} with {@code w (OC, C)} row-major. Every array is addressed from
 * an offset so weights can live in one flat parameter buffer. Backward methods accumulate ({@code +=}).
 *
 * <p>The fast methods run {@link Gemm}'s packed vector kernel on the kernel pool; results are identical
 * for any thread count. The {@code *Scalar} methods are the plain loops they are tested against.
 */
public final class Matmul {
    private Matmul() {}

    /** out (N, OC) = inp (N, C) · w (OC, C)^T. Overwrites out. */
    public static void forward(float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                               int N, int C, int OC) {
        // A = inp: A(n, c) = inp[n*C + c];  B = w^T: B(c, oc) = w[oc*C + c].
        Gemm.gemm(N, OC, C, inp, inOff, C, 1, w, wOff, 1, C, out, outOff, OC, false);
    }

    /** dinp (N, C) += dout (N, OC) · w (OC, C). */
    public static void backwardInput(float[] dinp, int dinpOff, float[] dout, int doutOff, float[] w, int wOff,
                                     int N, int C, int OC) {
        // A = dout: A(n, oc) = dout[n*OC + oc];  B = w: B(oc, c) = w[oc*C + c].
        Gemm.gemm(N, C, OC, dout, doutOff, OC, 1, w, wOff, C, 1, dinp, dinpOff, C, true);
    }

    /** dw (OC, C) += dout (N, OC)^T · inp (N, C). */
    public static void backwardWeight(float[] dw, int dwOff, float[] dout, int doutOff, float[] inp, int inOff,
                                      int N, int C, int OC) {
        // A = dout^T: A(oc, n) = dout[n*OC + oc];  B = inp: B(n, c) = inp[n*C + c].
        Gemm.gemm(OC, C, N, dout, doutOff, 1, OC, inp, inOff, C, 1, dw, dwOff, C, true);
    }

    /** Reference for {@link #forward}: one sequential sum per output. */
    public static void forwardScalar(float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                                     int N, int C, int OC) {
        for (int n = 0; n < N; n++) {
            int in = inOff + n * C;
            int o = outOff + n * OC;
            for (int oc = 0; oc < OC; oc++) {
                int wr = wOff + oc * C;
                float acc = 0f;
                for (int c = 0; c < C; c++) acc += inp[in + c] * w[wr + c];
                out[o + oc] = acc;
            }
        }
    }

    /** Reference for {@link #backwardInput}. */
    public static void backwardInputScalar(float[] dinp, int dinpOff, float[] dout, int doutOff, float[] w, int wOff,
                                           int N, int C, int OC) {
        for (int n = 0; n < N; n++) {
            int d = dinpOff + n * C;
            int g = doutOff + n * OC;
            for (int oc = 0; oc < OC; oc++) {
                float s = dout[g + oc];
                int wr = wOff + oc * C;
                for (int c = 0; c < C; c++) dinp[d + c] += s * w[wr + c];
            }
        }
    }

    /** Reference for {@link #backwardWeight}. */
    public static void backwardWeightScalar(float[] dw, int dwOff, float[] dout, int doutOff, float[] inp, int inOff,
                                            int N, int C, int OC) {
        for (int oc = 0; oc < OC; oc++) {
            int wr = dwOff + oc * C;
            for (int n = 0; n < N; n++) {
                float s = dout[doutOff + n * OC + oc];
                int in = inOff + n * C;
                for (int c = 0; c < C; c++) dw[wr + c] += s * inp[in + c];
            }
        }
    }
}
