package dev.consilium.runtime.loop;

import dev.consilium.rewards.function.RewardFunction;
import dev.langchain4j.model.chat.ChatModel;

/**
 * A named way of asking a model for a verdict, as an experiment file's {@code judges[i].prompt} names it: makes
 * the judge over the given model (already greedy, with a bounded verdict length).
 */
@FunctionalInterface
public interface JudgePrompt {

    /** The judge over {@code model}, known as {@code modelRef}; {@code nonceSeed} fixes its content fences. */
    RewardFunction judge(ChatModel model, String modelRef, long nonceSeed);
}
