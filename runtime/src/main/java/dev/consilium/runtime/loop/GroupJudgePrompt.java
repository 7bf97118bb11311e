package dev.consilium.runtime.loop;

import dev.consilium.rewards.judge.GroupJudge;
import dev.langchain4j.model.chat.ChatModel;

/**
 * A named way of asking a model to score a group of answers to one task in one call, as an experiment file's
 * {@code judges[i].prompt} names it where {@code judges[i].mode} is {@code group}: makes the {@link GroupJudge} over
 * the given model (already greedy, with a bounded reply length).
 */
@FunctionalInterface
public interface GroupJudgePrompt {

    /** The group judge over {@code model}, known as {@code modelRef}; {@code nonceSeed} fixes its content fences. */
    GroupJudge judge(ChatModel model, String modelRef, long nonceSeed);
}
