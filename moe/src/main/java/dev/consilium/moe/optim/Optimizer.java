package dev.consilium.moe.optim;

/**
 * Updates a flat parameter buffer from its gradient buffer. Built over the model's named parameter views,
 * which give it the buffer's length, the per-tensor choices (weight decay) and the names its state is
 * saved under.
 */
public interface Optimizer {

    /** One update of {@code params} in place from {@code grads} at learning rate {@code lr}. */
    void step(float[] params, float[] grads, float lr);

    /** Updates taken so far, including those before a restore. */
    long steps();

    /** The state a resumed run needs, as named views over the optimizer's own buffers (no copy). */
    OptimizerState exportState();

    /** Restores what {@link #exportState()} gave, copying by tensor name; shapes and names must match. */
    void importState(OptimizerState state);
}
