package dev.consilium.moe.model;

/**
 * The training loss of one batch and its parts.
 *
 * @param total        crossEntropy + lambda * mtp + alpha * balance, the value the gradients are of
 * @param crossEntropy -sum w * logp / normalizer over the main model's predictions
 * @param mtp          the mean over MTP depths of each depth's loss (same weights, shifted); 0 when skipped
 * @param balance      the sequence-wise balance loss summed over MoE layers, without alpha
 */
public record Loss(float total, float crossEntropy, float mtp, float balance) {}
