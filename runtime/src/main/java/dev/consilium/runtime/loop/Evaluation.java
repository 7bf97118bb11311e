package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.Task;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.trajectory.Trajectory;
import dev.langchain4j.model.chat.ChatModel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Held-out accuracy of the policy: greedy answers, and with {@code samples} k > 0 also k answers per task
 * sampled at the rollout temperature (seeds fixed per task and sample, so rounds compare alike), each judged by
 * the answer check.
 */
record Evaluation(int round, int correct, int total, int sampledCorrect, int samples) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Evaluation heldOut(int round, ChatModel policy, PolicyWorkflow workflow, List<TaskRecord> heldout, AnswerCheck check,
                              Sampling sampling, Seeds seeds, int k, RolloutExecutor executor) {
        List<Callable<Boolean>> units = new ArrayList<>();
        for (int t = 0; t < heldout.size(); t++) {
            TaskRecord task = heldout.get(t);
            units.add(() -> solves(workflow.over(sampling.greedy(policy)), "eval/" + task.id(), task, check));
            for (int s = 0; s < k; s++) {
                long seed = seeds.eval(t, s);
                units.add(() -> solves(workflow.over(sampling.sampled(policy, seed)), "eval/" + task.id() + "/s" + seed, task, check));
            }
        }
        List<Boolean> results = executor.runAll(units);
        int correct = 0, sampledCorrect = 0;
        for (int i = 0; i < results.size(); i++) {
            if (!results.get(i)) continue;
            if (i % (k + 1) == 0) correct++; else sampledCorrect++;
        }
        return new Evaluation(round, correct, heldout.size(), sampledCorrect, k);
    }

    /** The task asked without its reference, which held-out answers must not see. */
    private static boolean solves(Workflow w, String id, TaskRecord task, AnswerCheck check) {
        Trajectory t = w.run(new Task(id, task.input(), task.metadata()));
        return t.output() != null && check.accepts(task, t.output());
    }

    /** The start of the round's metrics record. */
    ObjectNode record() {
        ObjectNode m = JSON.createObjectNode().put("id", RunDirectory.roundId(round)).put("round", round)
                .put("heldout_correct", correct).put("heldout_total", total)
                .put("heldout_accuracy", total == 0 ? 0 : (double) correct / total);
        if (samples > 0) {
            int n = samples * total;
            m.put("heldout_sampled_correct", sampledCorrect).put("heldout_sampled_total", n)
                    .put("heldout_sampled_accuracy", n == 0 ? 0 : (double) sampledCorrect / n);
        }
        return m;
    }
}
