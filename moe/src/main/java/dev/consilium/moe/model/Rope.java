package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.config.RopeScaling;
import dev.consilium.moe.kernel.Parallel;

/**
 * Rotary position embedding on ADJACENT pairs (x[2i], x[2i+1]) viewed as a complex number and multiplied by
 * e^{i*pos*freq_i}, as DeepSeek-V3's reference {@code apply_rotary_emb} does (not the half-split layout of
 * GPT-NeoX / Llama in HF). d = qk_rope_head_dim. freq_i = theta^(-2i/d), corrected by YaRN when configured.
 */
public final class Rope {
    private final int half;
    private final float[] freqs;
    /** (maxT, d/2) each, grown on demand. */
    private float[] cos = new float[0], sin = new float[0];
    private int maxT;

    public Rope(ModelConfig config) {
        this.half = config.qkRopeHeadDim() / 2;
        this.freqs = frequencies(config);
    }

    /** Makes the tables cover positions [0, T). */
    public void ensure(int T) {
        if (T <= maxT) return;
        cos = new float[T * half];
        sin = new float[T * half];
        for (int t = 0; t < T; t++) {
            for (int i = 0; i < half; i++) {
                // a float32 angle, as the reference's torch.outer(t, freqs), then cos/sin of it
                float angle = (float) t * freqs[i];
                cos[t * half + i] = (float) Math.cos(angle);
                sin[t * half + i] = (float) Math.sin(angle);
            }
        }
        maxT = T;
    }

    /**
     * The d/2 rotation frequencies of the reference {@code precompute_freqs_cis}: when rope_scaling is set and
     * max_position_embeddings exceeds the original length, dims between the beta_fast and beta_slow
     * correction range are interpolated: freq/factor*(1-smooth) + freq*smooth, smooth = 1 - ramp.
     */
    static float[] frequencies(ModelConfig config) {
        int d = config.qkRopeHeadDim();
        double base = config.ropeTheta();
        float[] f = new float[d / 2];
        for (int i = 0; i < d / 2; i++) f[i] = (float) (1.0 / Math.pow(base, (2.0 * i) / d));
        RopeScaling y = config.ropeScaling();
        if (y != null && config.maxPositionEmbeddings() > y.originalMaxPositionEmbeddings()) {
            int[] range = correctionRange(y.betaFast(), y.betaSlow(), d, base, y.originalMaxPositionEmbeddings());
            double lo = range[0], hi = range[1];
            if (lo == hi) hi += 0.001;
            for (int i = 0; i < d / 2; i++) {
                double ramp = Math.min(1.0, Math.max(0.0, (i - lo) / (hi - lo)));
                float smooth = (float) (1.0 - ramp);
                f[i] = f[i] / y.factor() * (1f - smooth) + f[i] * smooth;
            }
        }
        return f;
    }

    /** The reference's find_correction_range: [floor(dim(low_rot)), ceil(dim(high_rot))] clamped to [0, d-1]. */
    static int[] correctionRange(double lowRot, double highRot, int d, double base, int originalLength) {
        int low = (int) Math.floor(correctionDim(lowRot, d, base, originalLength));
        int high = (int) Math.ceil(correctionDim(highRot, d, base, originalLength));
        return new int[] {Math.max(low, 0), Math.min(high, d - 1)};
    }

    private static double correctionDim(double rotations, int d, double base, int originalLength) {
        return d * Math.log(originalLength / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /**
     * Rotates in place, for each row n < N, the d-wide slices at {@code off + n*rowStride + h*headStride}
     * (h < heads) by the row's own position {@code pos[n]}: rows of many sequences at many positions, as
     * generation batches them. The tables must cover every position ({@link #ensure}).
     */
    public void applyAt(float[] x, int off, int rowStride, int headStride, int heads, int[] pos, int N) {
        for (int n = 0; n < N; n++) {
            if (pos[n] >= maxT) throw new IllegalStateException("rope table covers " + maxT + " positions, not " + (pos[n] + 1));
            int tab = pos[n] * half;
            for (int h = 0; h < heads; h++) {
                int p = off + n * rowStride + h * headStride;
                for (int i = 0; i < half; i++) {
                    float c = cos[tab + i], s = sin[tab + i];
                    float a = x[p + 2 * i], b = x[p + 2 * i + 1];
                    x[p + 2 * i] = a * c - b * s;
                    x[p + 2 * i + 1] = a * s + b * c;
                }
            }
        }
    }

    /**
     * Rotates in place the d-wide slices at {@code off + n*rowStride + h*headStride} for h in [0, heads) and
     * n = b*T + t in [0, B*T); t is the position. {@code inverse} applies the transpose (backward).
     */
    void apply(float[] x, int off, int rowStride, int headStride, int heads, int B, int T, boolean inverse) {
        if (T > maxT) throw new IllegalStateException("rope table covers " + maxT + " positions, not " + T);
        float sign = inverse ? -1f : 1f;
        Parallel.forRange(B * T, 64, (from, to) -> {
            for (int n = from; n < to; n++) {
                int tab = (n % T) * half;
                for (int h = 0; h < heads; h++) {
                    int p = off + n * rowStride + h * headStride;
                    for (int i = 0; i < half; i++) {
                        float c = cos[tab + i], s = sign * sin[tab + i];
                        float a = x[p + 2 * i], b = x[p + 2 * i + 1];
                        x[p + 2 * i] = a * c - b * s;
                        x[p + 2 * i + 1] = a * s + b * c;
                    }
                }
            }
        });
    }
}
