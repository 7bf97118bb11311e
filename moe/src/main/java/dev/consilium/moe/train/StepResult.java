package dev.consilium.moe.train;

import dev.consilium.moe.model.ExpertLoad;
import dev.consilium.moe.model.Loss;

import java.util.List;

/**
 * One optimizer step as it happened.
 *
 * @param step       steps completed, this one included.
 * @param loss       the step's losses, averaged over its micro-batches.
 * @param gradNorm   global gradient norm before clipping.
 * @param expertLoad tokens per expert per MoE layer during this step, before the bias update.
 */
public record StepResult(long step, Loss loss, double gradNorm, float lr, int tokens, double seconds,
                         List<ExpertLoad> expertLoad) {}
