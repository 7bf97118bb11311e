/**
 * LLM judges over any LangChain4j {@code ChatModel}: pointwise, pairwise, ranking, panels, self-consistency.
 * Every failure, of the model or of its output, is an abstention with a reason; nothing escapes to the caller.
 */
package dev.consilium.rewards.judge;
