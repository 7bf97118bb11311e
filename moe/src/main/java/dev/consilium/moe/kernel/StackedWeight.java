package dev.consilium.moe.kernel;

/**
 * Several weights (OC_i, C) applied as one whose rows are theirs in order, for weights that cannot be
 * packed together: a checkpoint's q_a_proj and kv_a_proj_with_mqa, each FP8 with its own 128x128 scale
 * blocks. Each part runs its own product, so every output is bit-identical to the stacked matrix's.
 */
record StackedWeight(WeightMatrix[] parts, int inputChannels, int outputChannels) implements WeightMatrix {
    static StackedWeight of(WeightMatrix[] parts) {
        int C = parts[0].inputChannels(), OC = 0;
        for (WeightMatrix p : parts) {
            if (p.inputChannels() != C) {
                throw new IllegalArgumentException("cannot stack a weight of " + p.inputChannels() + " input channels under one of " + C);
            }
            OC += p.outputChannels();
        }
        return new StackedWeight(parts.clone(), C, OC);
    }

    @Override
    public void forward(float[] out, int outOff, float[] inp, int inOff, int N) {
        if (N == 1) {
            // one row: each part's outputs are a contiguous stretch of it
            for (int i = 0, at = outOff; i < parts.length; at += parts[i].outputChannels(), i++) parts[i].forward(out, at, inp, inOff, 1);
            return;
        }
        int widest = 0;
        for (WeightMatrix p : parts) widest = Math.max(widest, p.outputChannels());
        float[] tmp = BufferPool.take(N * widest);
        try {
            for (int i = 0, col = 0; i < parts.length; col += parts[i].outputChannels(), i++) {
                int oc = parts[i].outputChannels();
                parts[i].forward(tmp, 0, inp, inOff, N);
                for (int n = 0; n < N; n++) System.arraycopy(tmp, n * oc, out, outOff + n * outputChannels + col, oc);
            }
        } finally {
            BufferPool.give(tmp);
        }
    }

    @Override
    public long bytes() {
        long b = 0;
        for (WeightMatrix p : parts) b += p.bytes();
        return b;
    }
}
