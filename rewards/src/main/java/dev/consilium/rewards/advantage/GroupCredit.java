package dev.consilium.rewards.advantage;

import dev.consilium.rewards.verdict.Verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What each turn of a group's rollouts (G runs of one task) is trained with: per rollout and turn, a reward and
 * an advantage, NaN where the verdict abstained or the rollout is masked. {@code outcome} is the group's
 * advantages on the whole transcripts, whatever the credit.
 */
public record GroupCredit(double[][] reward, double[][] advantage, GroupAdvantages outcome) {

    /**
     * Outcome credit: every turn of rollout i gets rollout i's reward and advantage. {@code turns[i]} is how many
     * turns rollout i has.
     */
    public static GroupCredit outcome(List<Verdict> outcomes, int[] turns, Normalization normalization) {
        if (outcomes.size() != turns.length) throw new IllegalArgumentException(outcomes.size() + " verdicts but " + turns.length + " rollouts");
        GroupAdvantages adv = GroupAdvantages.of(outcomes, normalization);
        int g = turns.length;
        double[][] reward = new double[g][], advantage = new double[g][];
        for (int i = 0; i < g; i++) {
            reward[i] = new double[turns[i]];
            advantage[i] = new double[turns[i]];
            Arrays.fill(reward[i], score(outcomes.get(i)));
            Arrays.fill(advantage[i], adv.mask()[i] ? adv.advantages()[i] : Double.NaN);
        }
        return new GroupCredit(reward, advantage, adv);
    }

    /**
     * Per-turn credit: turn k of rollout i is rewarded by {@code turnVerdicts[i][k]}, the verdict on the transcript
     * up to and including it, and the k-th turns of the group are compared among themselves; so a first answer
     * that a later agent fixed is not reinforced with the later agent's success. Turns without a verdict of their
     * own keep outcome credit.
     */
    public static GroupCredit perTurn(List<Verdict> outcomes, List<List<Verdict>> turnVerdicts, int[] turns, Normalization normalization) {
        GroupCredit c = outcome(outcomes, turns, normalization);
        int most = Arrays.stream(turns).max().orElse(0);
        for (int k = 0; k < most; k++) {
            List<Integer> members = new ArrayList<>();
            List<Verdict> verdicts = new ArrayList<>();
            for (int i = 0; i < turns.length; i++) {
                if (k < turnVerdicts.get(i).size() && k < turns[i]) {
                    members.add(i);
                    verdicts.add(turnVerdicts.get(i).get(k));
                }
            }
            GroupAdvantages adv = GroupAdvantages.of(verdicts, normalization);
            for (int m = 0; m < members.size(); m++) {
                int i = members.get(m);
                c.reward[i][k] = score(verdicts.get(m));
                c.advantage[i][k] = adv.mask()[m] ? adv.advantages()[m] : Double.NaN;
            }
        }
        return c;
    }

    /** A verdict's normalized score; NaN when it abstained. */
    public static double score(Verdict v) {
        return v instanceof Verdict.Score s ? s.normalized() : Double.NaN;
    }
}
