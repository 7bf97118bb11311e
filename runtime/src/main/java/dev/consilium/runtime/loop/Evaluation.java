package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;
import dev.consilium.runtime.seam.WorkUnit;

import java.util.ArrayList;
import java.util.List;

/**
 * Held-out accuracy of the policy: greedy answers, and with {@code samples} k > 0 also k answers per task
 * sampled at the rollout temperature (seeds fixed per task and sample, so rounds compare alike), each judged by
 * the answer check. Beside the workflow's final answer the check also reads its first turn's answer (the first
 * model call's output), so a multi-agent workflow shows what its later turns add: in the arithmetic demo, the
 * solver alone against the team after the reviser.
 *
 * @param correct                 greedy final answers the check accepts, of {@code total}
 * @param firstTurnCorrect        greedy first turns the check accepts, of {@code total}
 * @param sampledCorrect          sampled final answers the check accepts, of {@code samples * total}
 * @param sampledFirstTurnCorrect sampled first turns the check accepts, of {@code samples * total}
 */
public record Evaluation(int round, int total, int correct, int firstTurnCorrect, int samples, int sampledCorrect,
                         int sampledFirstTurnCorrect) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The held-out answers of {@code policy} as units on {@code executor} (one greedy and {@code k} sampled per task),
     * checked here, on the driver, as they come back.
     */
    static Evaluation heldOut(int round, PolicySpec policy, List<TaskRecord> heldout, AnswerCheck check, Seeds seeds, int k,
                              UnitExecutor executor) {
        List<WorkUnit<PolicyUnit>> units = new ArrayList<>();
        for (int t = 0; t < heldout.size(); t++) {
            TaskRecord task = heldout.get(t);
            // the task asked without its reference, which held-out answers must not see
            String id = "eval/" + task.id();
            units.add(WorkUnit.of(t + "/greedy", PolicyUnit.greedy(id, task.input(), task.metadata())));
            for (int s = 0; s < k; s++) {
                long seed = seeds.eval(t, s);
                String sid = "eval/" + task.id() + "/s" + seed;
                units.add(WorkUnit.of(t + "/" + s, PolicyUnit.sampled(sid, task.input(), task.metadata(), seed)));
            }
        }
        List<Answer> results = new ArrayList<>(units.size());
        int u = 0;
        for (TrajectoryResult r : executor.runAll(policy, SecretEnv.NONE, units, PolicySpec.RUN).values()) {
            results.add(answer(r.trajectory(), heldout.get(u++ / (k + 1)), check));
        }
        int correct = 0, first = 0, sampledCorrect = 0, sampledFirst = 0;
        for (int i = 0; i < results.size(); i++) {
            Answer a = results.get(i);
            boolean greedy = i % (k + 1) == 0;
            if (a.right()) { if (greedy) correct++; else sampledCorrect++; }
            if (a.firstTurnRight()) { if (greedy) first++; else sampledFirst++; }
        }
        return new Evaluation(round, heldout.size(), correct, first, k, sampledCorrect, sampledFirst);
    }

    /** Whether a run's final answer and its first turn's answer pass the check. */
    private record Answer(boolean right, boolean firstTurnRight) {}

    private static Answer answer(Trajectory t, TaskRecord task, AnswerCheck check) {
        ModelCall first = t.calls().isEmpty() ? null : t.calls().getFirst();
        return new Answer(accepts(check, task, t.output()), first != null && !first.failed() && accepts(check, task, first.output()));
    }

    private static boolean accepts(AnswerCheck check, TaskRecord task, String answer) {
        return answer != null && check.accepts(task, answer);
    }

    /** The share of greedy final answers the check accepts. */
    public double accuracy() {
        return share(correct, total);
    }

    /** The share of greedy first turns the check accepts: the first agent alone. */
    public double firstTurnAccuracy() {
        return share(firstTurnCorrect, total);
    }

    private static double share(int n, int of) {
        return of == 0 ? 0 : (double) n / of;
    }

    /** The start of the round's metrics record. */
    ObjectNode record() {
        ObjectNode m = JSON.createObjectNode().put("id", RunDirectory.roundId(round)).put("round", round)
                .put("heldout_correct", correct).put("heldout_total", total).put("heldout_accuracy", accuracy())
                .put("heldout_first_turn_correct", firstTurnCorrect).put("heldout_first_turn_accuracy", firstTurnAccuracy());
        if (samples > 0) {
            int n = samples * total;
            m.put("heldout_sampled_correct", sampledCorrect).put("heldout_sampled_total", n)
                    .put("heldout_sampled_accuracy", share(sampledCorrect, n))
                    .put("heldout_sampled_first_turn_correct", sampledFirstTurnCorrect)
                    .put("heldout_sampled_first_turn_accuracy", share(sampledFirstTurnCorrect, n));
        }
        return m;
    }
}
