package dev.consilium.moe.kernel;

/**
 * The linear layer's matrix products, laid out as PyTorch's {@code nn.Linear} and safetensors store them:
 * {@code out (N, OC) = inp (N, C) · w^T} with {@code w (OC, C)} row-major. Every array is addressed from
 * an offset so weights can live in one flat parameter buffer. Backward methods accumulate ({@code +=}).
 * The scalar methods are the reference the fast ones are tested against.
 */
public final class Matmul {
    private Matmul() {}

    /** out (N, OC) = inp (N, C) · w (OC, C)^T. Overwrites out. */
    public static void forward(float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                               int N, int C, int OC) {
        Parallel.forEach(N, Math.max(1, 4096 / Math.max(1, C * OC / 1024 + 1)), n -> {
            int in = inOff + n * C;
            int o = outOff + n * OC;
            for (int oc = 0; oc < OC; oc++) {
                int wr = wOff + oc * C;
                float acc = 0f;
                for (int c = 0; c < C; c++) acc += inp[in + c] * w[wr + c];
                out[o + oc] = acc;
            }
        });
    }

    /** dinp (N, C) += dout (N, OC) · w (OC, C). */
    public static void backwardInput(float[] dinp, int dinpOff, float[] dout, int doutOff, float[] w, int wOff,
                                     int N, int C, int OC) {
        Parallel.forEach(N, 1, n -> {
            int d = dinpOff + n * C;
            int g = doutOff + n * OC;
            for (int oc = 0; oc < OC; oc++) {
                float s = dout[g + oc];
                int wr = wOff + oc * C;
                for (int c = 0; c < C; c++) dinp[d + c] += s * w[wr + c];
            }
        });
    }

    /** dw (OC, C) += dout (N, OC)^T · inp (N, C). */
    public static void backwardWeight(float[] dw, int dwOff, float[] dout, int doutOff, float[] inp, int inOff,
                                      int N, int C, int OC) {
        Parallel.forEach(OC, 1, oc -> {
            int wr = dwOff + oc * C;
            for (int n = 0; n < N; n++) {
                float s = dout[doutOff + n * OC + oc];
                int in = inOff + n * C;
                for (int c = 0; c < C; c++) dw[wr + c] += s * inp[in + c];
            }
        });
    }
}
