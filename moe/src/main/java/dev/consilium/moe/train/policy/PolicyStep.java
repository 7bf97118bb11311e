package dev.consilium.moe.train.policy;

import dev.consilium.moe.train.StepResult;

/**
 * One optimizer step of a policy objective.
 *
 * @param update  the update as {@link dev.consilium.moe.train.Trainer} reports it: gradient norm, learning rate,
 *                expert load. Its loss is the surrogate the model differentiated (-sum w*logp / normalizer plus
 *                the auxiliary losses), whose gradient, not value, is the objective's.
 * @param metrics the objective's own measurements, its loss among them.
 */
public record PolicyStep<M>(StepResult update, M metrics) {}
