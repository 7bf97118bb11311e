/**
 * Reading verdicts out of judge output ({@link dev.consilium.rewards.parse.VerdictParser}) and putting judged content
 * where it cannot pass for one ({@link dev.consilium.rewards.parse.ContentFence}).
 */
package dev.consilium.rewards.parse;
