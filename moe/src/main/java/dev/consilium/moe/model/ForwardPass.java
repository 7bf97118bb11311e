package dev.consilium.moe.model;

/**
 * What a training forward returns.
 *
 * @param logProbs log p(targets[n] | tokens[..n]) for every position n of the batch (B*T), a fresh array
 * @param loss     the loss under the batch's weights
 */
public record ForwardPass(float[] logProbs, Loss loss) {}
