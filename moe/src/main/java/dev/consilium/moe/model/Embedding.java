package dev.consilium.moe.model;

import dev.consilium.moe.kernel.Parallel;

/** Token embedding rows of {@code model.embed_tokens.weight} (V, H). */
final class Embedding {
    private Embedding() {}

    /** out (N, H) = W[tokens[n]]. */
    static void forward(float[] out, float[] P, int w, int[] tokens, int N, int H) {
        Parallel.forRange(N, 256, (from, to) -> {
            for (int n = from; n < to; n++) System.arraycopy(P, w + tokens[n] * H, out, n * H, H);
        });
    }

    /**
     * dW[tokens[n]] += dout[n]. Tasks own column blocks and walk tokens in order, so repeated tokens
     * accumulate in the same order at any thread count.
     */
    static void backward(float[] G, int w, float[] dout, int[] tokens, int N, int H) {
        int block = 32;
        Parallel.forEach((H + block - 1) / block, 1, blk -> {
            int c0 = blk * block, c1 = Math.min(H, c0 + block);
            for (int n = 0; n < N; n++) {
                int dst = w + tokens[n] * H, src = n * H;
                for (int c = c0; c < c1; c++) G[dst + c] += dout[src + c];
            }
        });
    }
}
