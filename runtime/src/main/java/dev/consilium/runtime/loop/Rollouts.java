package dev.consilium.runtime.loop;

import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;
import dev.consilium.runtime.seam.WorkUnit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A round's rollouts: {@code groupSize} runs of the workflow per task, in task order (rollout k belongs to task
 * k / groupSize), with how long they took and how many tokens the policy wrote.
 */
record Rollouts(int round, List<TaskRecord> tasks, int groupSize, List<Trajectory> trajectories, double seconds, long tokens) {

    /**
     * Runs every rollout of the round on {@code executor} as units (task, rollout index, seed) of {@code policy},
     * each with its own reproducible sampling seed; their trajectories come back in unit order.
     */
    static Rollouts collect(int round, List<TaskRecord> tasks, int g, PolicySpec policy, Seeds seeds, UnitExecutor executor) {
        long started = System.nanoTime();
        List<WorkUnit<PolicyUnit>> units = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            for (int i = 0; i < g; i++) {
                TaskRecord task = tasks.get(t);
                String id = "r" + round + "/" + task.id() + "/g" + i;
                // keyed by position: a task file may repeat an id, a unit id may not
                units.add(WorkUnit.of(t + "/" + i, PolicyUnit.sampled(id, task.input(), metadata(task), seeds.rollout(round, t, i))));
            }
        }
        List<Trajectory> rolled = new ArrayList<>(units.size());
        for (TrajectoryResult r : executor.runAll(policy, SecretEnv.NONE, units, PolicySpec.RUN).values()) rolled.add(r.trajectory());
        long tokens = 0;
        for (Trajectory t : rolled) for (ModelCall c : t.calls()) tokens += c.tokens().size();
        return new Rollouts(round, tasks, g, rolled, (System.nanoTime() - started) / 1e9, tokens);
    }

    /** What the workflow's task carries: the task's metadata and, as {@code answer}, its reference. */
    private static Map<String, String> metadata(TaskRecord task) {
        if (task.reference() == null) return task.metadata();
        Map<String, String> m = new HashMap<>(task.metadata());
        m.put("answer", task.reference());
        return m;
    }

    int size() {
        return trajectories.size();
    }

    /** The rollouts of task {@code t}. */
    List<Trajectory> group(int t) {
        return trajectories.subList(t * groupSize, (t + 1) * groupSize);
    }

    TaskRecord taskOf(int k) {
        return tasks.get(k / groupSize);
    }
}
