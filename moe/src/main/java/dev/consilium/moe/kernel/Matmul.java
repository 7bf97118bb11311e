package dev.consilium.moe.kernel;

import java.util.Arrays;

/**
 * The linear layer's matrix products, laid out as PyTorch's {@code nn.Linear} and safetensors store them:
 * {@code out (N, OC) = inp (N, C) · w^T} with {@code w (OC, C)} row-major. Every array is addressed from
 * an offset so weights can live in one flat parameter buffer. Backward methods accumulate ({@code +=}).
 *
 * <p>The fast methods run {@link Gemm}'s packed vector kernel on the kernel pool. Each output is one
 * fixed sequence of roundings, whatever the thread count and whatever the batch: a token's row of
 * {@code forward} is bit-identical whether it is computed alone (decoding) or among 2048 others
 * (training), so sampled log-probabilities match the ones training recomputes. The {@code *Scalar}
 * methods are the plain loops the fast ones are tested against.
 */
public final class Matmul {
    private Matmul() {}

    /** out (N, OC) = inp (N, C) · w (OC, C)^T. Overwrites out. */
    public static void forward(float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                               int N, int C, int OC) {
        // A = inp: A(n, c) = inp[n*C + c];  B = w^T: B(c, oc) = w[oc*C + c].
        Gemm.gemm(N, OC, C, inp, inOff, C, 1, w, wOff, 1, C, out, outOff, OC, false);
    }

    /**
     * A weight w (OC, C) laid out once for {@link #forward(float[], int, float[], int, PackedWeight, int)}.
     * Forward packs w on every call, which costs as much as the product when N is a handful of tokens;
     * while weights stay fixed (generation), pack them once. A copy: later changes to w do not reach it.
     */
    public static final class PackedWeight implements WeightMatrix {
        private final float[] panels;
        private final int C, OC;

        private PackedWeight(float[] panels, int C, int OC) {
            this.panels = panels;
            this.C = C;
            this.OC = OC;
        }

        @Override
        public int inputChannels() {
            return C;
        }

        @Override
        public int outputChannels() {
            return OC;
        }

        @Override
        public void forward(float[] out, int outOff, float[] inp, int inOff, int N) {
            Matmul.forward(out, outOff, inp, inOff, this, N);
        }

        @Override
        public long bytes() {
            return 4L * panels.length;
        }
    }

    /** Packs w (OC, C) for repeated forwards. */
    public static PackedWeight pack(float[] w, int wOff, int C, int OC) {
        float[] panels = new float[Gemm.packedSize(C, OC)];
        Gemm.packB(panels, C, OC, w, wOff, 1, C, Gemm.parallel(Gemm.MR, OC, C));
        return new PackedWeight(panels, C, OC);
    }

    /** out (N, OC) = inp (N, C) · w^T, bit-identical to {@link #forward} on the weight w was packed from. */
    public static void forward(float[] out, int outOff, float[] inp, int inOff, PackedWeight w, int N) {
        if (N <= 0 || w.OC == 0) return;
        if (w.C == 0) {
            Arrays.fill(out, outOff, outOff + N * w.OC, 0f);
            return;
        }
        Gemm.gemmPacked(N, w.OC, w.C, inp, inOff, w.C, 1, w.panels, out, outOff, w.OC, false,
                Gemm.parallel(N, w.OC, w.C));
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
