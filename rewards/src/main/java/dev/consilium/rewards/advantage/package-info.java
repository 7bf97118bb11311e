/** From verdicts to training signal: group-relative advantages, per-agent credit, DPO preference pairs. */
package dev.consilium.rewards.advantage;
