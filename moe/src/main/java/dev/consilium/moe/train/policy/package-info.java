/**
 * Policy optimisation of the built-in model from judged rollouts: GRPO, DPO and rejection-sampling
 * fine-tuning, all through the model's one loss path ({@code -sum w * logp / normalizer}). Each objective turns
 * a forward's log-probs into per-token weights w = -dL/dlogp * normalizer and hands them to
 * {@code DeepSeekV3Model.backward(weights, normalizer)}, so no objective has its own backward.
 *
 * <pre>{@code
 * DeepSeekV3Model policy = ModelCheckpoint.load(dir).model();
 * PolicyTrainer trainer = new PolicyTrainer(policy, ReferenceModel.frozenCopyOf(policy),
 *         TrainOptions.builder().lr(1e-5f).steps(200).batchSize(8).seqLen(512).lossWeights(LossWeights.NONE).build());
 *
 * Rollout r = Rollout.builder(promptIds, completionIds)
 *         .logProbs(samplingLogProbs)       // pi_old, as recorded when sampling
 *         .reward(0.8).advantage(0.53)      // NaN advantage = the judge abstained: masked and counted
 *         .build();
 * Grpo grpo = Grpo.builder().clipLow(0.2).clipHigh(0.28).beta(0.04).aggregation(Grpo.Aggregation.TOKEN).build();
 * PolicyStep<Grpo.Metrics> step = trainer.step(grpo, rollouts);   // loss, mean ratio, clip fraction, KL, ...
 *
 * trainer.step(Dpo.defaults(), List.of(new TokenPreferencePair(promptIds, chosenIds, rejectedIds)));
 * trainer.step(new Rft(1.0), rollouts);                           // SFT on rollouts with reward >= 1
 * }</pre>
 */
package dev.consilium.moe.train.policy;
