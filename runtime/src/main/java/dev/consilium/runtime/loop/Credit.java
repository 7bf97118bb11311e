package dev.consilium.runtime.loop;

import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.rewards.advantage.GroupAdvantages;
import dev.consilium.rewards.advantage.Normalization;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.loop.Judging.Judged;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What each turn of a task's rollouts is trained with: per rollout and turn, a reward and an advantage (NaN where
 * the verdict abstained or the rollout is masked).
 */
record Credit(double[][] reward, double[][] advantage) {

    /**
     * With outcome credit every turn gets its rollout's reward and advantage ({@code outcome}); with per-turn
     * credit each turn is rewarded by the verdict on the transcript up to it, and the k-th turns of the group are
     * compared among themselves.
     */
    static Credit of(List<Judged> group, List<Trajectory> rollouts, GroupAdvantages outcome, boolean perTurn) {
        int g = rollouts.size();
        double[][] reward = new double[g][], advantage = new double[g][];
        int turns = 0;
        for (int i = 0; i < g; i++) {
            int n = rollouts.get(i).calls().size();
            turns = Math.max(turns, n);
            reward[i] = new double[n];
            advantage[i] = new double[n];
            Arrays.fill(reward[i], score(group.get(i).combined()));
            Arrays.fill(advantage[i], outcome.mask()[i] ? outcome.advantages()[i] : Double.NaN);
        }
        if (!perTurn) return new Credit(reward, advantage);
        for (int k = 0; k < turns; k++) {
            List<Integer> members = new ArrayList<>();
            List<Verdict> verdicts = new ArrayList<>();
            for (int i = 0; i < g; i++) {
                if (k < group.get(i).turns().size()) {
                    members.add(i);
                    verdicts.add(group.get(i).turns().get(k));
                }
            }
            GroupAdvantages adv = GroupAdvantages.of(verdicts, Normalization.MEAN_STD);
            for (int m = 0; m < members.size(); m++) {
                int i = members.get(m);
                reward[i][k] = score(verdicts.get(m));
                advantage[i][k] = adv.mask()[m] ? adv.advantages()[m] : Double.NaN;
            }
        }
        return new Credit(reward, advantage);
    }

    /** A verdict's normalized score; NaN when it abstained. */
    static double score(Verdict v) {
        return v instanceof Verdict.Score s ? s.normalized() : Double.NaN;
    }
}
