package dev.consilium.moe.model;

/** A block's feed-forward half: a dense SwiGLU MLP or a mixture of experts. x, out, dx: (N, H), N = B*T. */
sealed interface FeedForward permits Mlp, MoeLayer {

    /** Sizes the activations for N rows. */
    void allocate(int N);

    /** out = ffn(x). {@code training} counts expert load for the routing-bias update. */
    void forward(float[] params, float[] buffers, float[] x, float[] out, int B, int T, boolean training);

    /** dx += d/dx; parameter gradients accumulate into grads. balanceWeight: the sequence-wise loss's alpha. */
    void backward(float[] params, float[] grads, float[] dout, float[] x, float[] dx, int B, int T,
                  float balanceWeight, BackwardScratch scratch);
}
