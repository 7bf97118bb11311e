package dev.consilium.runtime.loop;

import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.judge.GroupJudge;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;

import java.util.List;
import java.util.Objects;

/**
 * A {@link GroupJudge} among a run's judges ({@code "mode": "group"}): the loop judges a round's rollouts with it one
 * call per task group (the G transcripts of one task side by side, each its own verdict, an unscored one abstaining
 * alone), and each gold probe in a group of G too ({@link GroupJudging}). Asked about one item alone, it judges a
 * group of one.
 */
public final class GroupJudgeFunction implements RewardFunction {
    private final GroupJudge judge;

    public GroupJudgeFunction(GroupJudge judge) {
        this.judge = Objects.requireNonNull(judge, "judge");
    }

    public GroupJudge group() {
        return judge;
    }

    @Override
    public String name() {
        return judge.name();
    }

    @Override
    public Verdict evaluate(JudgedItem item) {
        return judge.evaluate(List.of(item)).getFirst();
    }
}
