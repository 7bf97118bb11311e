package dev.consilium.moe.kernel;

/**
 * A fixed weight {@code w (OC, C)} applied as {@code out (N, OC) = inp (N, C) · w^T}, whatever precision it
 * is stored in. Generation holds every projection behind this one seam, so fp32, BF16 and FP8 checkpoints
 * run through the same decoding code.
 */
public interface WeightMatrix {
    int inputChannels();

    int outputChannels();

    /** out (N, OC) = inp (N, C) · w^T. Overwrites out. */
    void forward(float[] out, int outOff, float[] inp, int inOff, int N);

    /** Bytes the weight occupies in memory, for the precision it is stored in. */
    long bytes();

    /** The weight whose rows are those of {@code parts} in order, all of one input width; a lone part itself. */
    static WeightMatrix stack(WeightMatrix... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("nothing to stack");
        return parts.length == 1 ? parts[0] : StackedWeight.of(parts);
    }
}
