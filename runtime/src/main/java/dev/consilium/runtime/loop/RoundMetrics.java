package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.moe.model.ExpertLoad;

import java.util.Map;
import java.util.TreeMap;

/** A round's record in metrics.jsonl, from its stages' records; written last, it declares the round done. */
final class RoundMetrics {
    /** The share of the round's rollouts whose final answer the answer check accepts: the truth beside the reward. */
    static final String TRUE_ACCURACY = "rollout_true_accuracy";
    /** The same share as the gold probes estimate it from the judge's verdicts, where no reference tells it. */
    static final String ESTIMATED_ACCURACY = "probe_estimated_accuracy";

    private RoundMetrics() {}

    static ObjectNode of(Evaluation eval, PolicyUpdate update, RoundCredit credit, Judgments judgments, Rollouts rollouts, long startedNanos) {
        ObjectNode m = eval.record();
        m.setAll(update.metrics());
        if (credit.rewarded() > 0) m.put("reward_mean", credit.rewardSum() / credit.rewarded());
        m.put("abstain_rate", (double) credit.abstained() / rollouts.size());
        double agreement = judgments.agreement();
        if (!Double.isNaN(agreement)) m.put("judge_agreement", agreement);
        truth(judgments, rollouts, m);
        m.put("degenerate_groups", credit.degenerate());
        m.put("rollout_tokens_per_s", rollouts.tokens() / rollouts.seconds());
        // where the round's seconds go: the rest of "seconds" is judging, held-out evaluation and the journals
        m.put("rollout_seconds", rollouts.seconds()).put("train_seconds", update.seconds());
        if (update.last() != null) {
            m.put("train_tokens_per_s", update.last().update().tokens() / update.seconds());
            ArrayNode load = m.putArray("expert_load");
            // A layer no token reached this step (the MTP module, when its loss is off) has no balance to show.
            for (ExpertLoad l : update.last().update().expertLoad()) if (l.total() > 0) load.add(l.maxOverMean());
        }
        costs(rollouts, m);
        // Only where judges cost something (API models), so a built-in judge's records read as they always did.
        if (judgments.costUsd() > 0) m.put("judge_cost_usd", judgments.costUsd());
        m.put("seconds", (System.nanoTime() - startedNanos) / 1e9);
        return m;
    }

    /** The round's probe agreement, and its truth: from the answer check where every task has a reference, else the probes'. */
    private static void truth(Judgments judgments, Rollouts rollouts, ObjectNode m) {
        judgments.probes().addTo(m);
        boolean referenced = rollouts.tasks().stream().allMatch(t -> t.reference() != null);
        if (referenced && !judgments.judged().isEmpty()) {
            m.put(TRUE_ACCURACY, judgments.trueAccuracy());
        } else if (!judgments.probes().isEmpty()) {
            double estimate = judgments.probes().estimatedAccuracy(judgments.passRate());
            if (!Double.isNaN(estimate)) m.put(ESTIMATED_ACCURACY, estimate);
        }
    }

    private static void costs(Rollouts rollouts, ObjectNode m) {
        Map<String, Double> byAgent = new TreeMap<>(), byModel = new TreeMap<>();
        for (Trajectory t : rollouts.trajectories()) {
            for (ModelCall c : t.calls()) {
                byAgent.merge(c.agent(), c.costUsd(), Double::sum);
                byModel.merge(c.model() == null ? "?" : c.model(), c.costUsd(), Double::sum);
            }
        }
        ObjectNode a = m.putObject("cost_by_agent"), b = m.putObject("cost_by_model");
        byAgent.forEach(a::put);
        byModel.forEach(b::put);
    }

    /** What a metrics record says the round spent: its rollouts' calls and its judges', in US dollars. */
    static double spentUsd(JsonNode m) {
        double s = m.path("judge_cost_usd").asDouble(0);
        for (JsonNode c : m.path("cost_by_model")) s += c.asDouble(0);
        return s;
    }
}
