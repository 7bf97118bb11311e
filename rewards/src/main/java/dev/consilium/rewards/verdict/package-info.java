/**
 * What judges and reward functions conclude: a {@link dev.consilium.rewards.verdict.Verdict} is a score or an
 * abstention with its reason, never a silent 0, and carries its provenance (judge, prompt version, raw output, cost).
 */
package dev.consilium.rewards.verdict;
