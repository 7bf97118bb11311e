/** Verifiable reward functions and their composition; LLM judges plug in as one more reward function. */
package dev.consilium.rewards.function;
