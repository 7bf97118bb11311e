package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.rewards.advantage.GroupCredit;
import dev.consilium.rewards.advantage.Normalization;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.loop.Judging.Judged;

import java.util.ArrayList;
import java.util.List;

/**
 * Who earned what in a round: each task group's {@link GroupCredit} (outcome or per-turn), and the round's
 * reward statistics: groups without signal, rollouts whose verdict abstained, the mean of those that scored.
 */
record RoundCredit(List<GroupCredit> groups, boolean perTurn, int degenerate, int abstained, double rewardSum, int rewarded) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static RoundCredit of(Rollouts rollouts, Judgments judgments, boolean perTurn) {
        int g = rollouts.groupSize(), degenerate = 0, abstained = 0, rewarded = 0;
        double sum = 0;
        List<GroupCredit> groups = new ArrayList<>();
        for (int t = 0; t < rollouts.tasks().size(); t++) {
            List<Judged> judged = judgments.group(t, g);
            List<Trajectory> rolled = rollouts.group(t);
            List<Verdict> outcomes = judged.stream().map(Judged::combined).toList();
            int[] turns = rolled.stream().mapToInt(r -> r.calls().size()).toArray();
            GroupCredit c = perTurn
                    ? GroupCredit.perTurn(outcomes, judged.stream().map(Judged::turns).toList(), turns, Normalization.MEAN_STD)
                    : GroupCredit.outcome(outcomes, turns, Normalization.MEAN_STD);
            if (c.outcome().degenerate()) degenerate++;
            for (Verdict v : outcomes) {
                double r = GroupCredit.score(v);
                if (Double.isNaN(r)) abstained++;
                else {
                    sum += r;
                    rewarded++;
                }
            }
            groups.add(c);
        }
        return new RoundCredit(groups, perTurn, degenerate, abstained, sum, rewarded);
    }

    /** The rewards journal's records: per rollout its reward and advantage, with per-turn credit each turn's. */
    List<ObjectNode> records(Rollouts rollouts, Judgments judgments) {
        List<ObjectNode> out = new ArrayList<>();
        int g = rollouts.groupSize();
        for (int t = 0; t < groups.size(); t++) {
            GroupCredit c = groups.get(t);
            for (int i = 0; i < g; i++) {
                double reward = GroupCredit.score(judgments.group(t, g).get(i).combined());
                ObjectNode rec = JSON.createObjectNode().put("id", rollouts.group(t).get(i).task().id()).put("round", rollouts.round());
                if (Double.isNaN(reward)) rec.putNull("reward"); else rec.put("reward", reward);
                if (c.outcome().mask()[i]) rec.put("advantage", c.outcome().advantages()[i]); else rec.putNull("advantage");
                if (perTurn) {
                    ArrayNode turns = rec.putArray("turns");
                    for (int k = 0; k < c.reward()[i].length; k++) {
                        ObjectNode turn = turns.addObject();
                        double r = c.reward()[i][k], a = c.advantage()[i][k];
                        if (Double.isNaN(r)) turn.putNull("reward"); else turn.put("reward", r);
                        if (Double.isNaN(a)) turn.putNull("advantage"); else turn.put("advantage", a);
                    }
                }
                out.add(rec);
            }
        }
        return out;
    }
}
