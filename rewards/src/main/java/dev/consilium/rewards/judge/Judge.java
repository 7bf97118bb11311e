package dev.consilium.rewards.judge;

import dev.consilium.rewards.function.RewardFunction;

/**
 * A reward function backed by one or more judge models: {@link PointwiseJudge}, {@link Panel},
 * {@link SelfConsistency}. Pairwise and group judgments take two or more answers and have their own types,
 * {@link PairwiseJudge}, {@link RankingJudge} and {@link GroupJudge}.
 */
public interface Judge extends RewardFunction {}
