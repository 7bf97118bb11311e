package dev.consilium.examples;

import dev.consilium.agents.Agent;
import dev.consilium.agents.MemoryPolicy;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.loop.Algorithm;
import dev.consilium.runtime.loop.ExperimentRun;
import dev.consilium.runtime.loop.TaskRecord;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Self-improvement on a task of your own, from Java, offline: the shipped built-in policy is asked for a number
 * above a bound, a reward function of ours scores each answer, and GRPO trains the policy on those rewards.
 * Run from the project directory, after {@code mvn -q -pl examples -am package -DskipTests}: {@code java
 * --add-modules jdk.incubator.vector -cp runtime/target/consilium.jar:examples/target/classes
 * dev.consilium.examples.SelfImprovementExample [POLICY_DIR [RUN_DIR]]} (defaults: models/demo-policy, runs/above-bound).
 */
public final class SelfImprovementExample {

    /** Our task type: say a number above {@code bound}. */
    record AboveBound(int id, int bound) {
        TaskRecord task() {
            return TaskRecord.of("above-" + id, "Say a number above " + bound + ".", Integer.toString(bound));
        }
    }

    /** Our reward: 1 when the answer's first number is above the bound (the task's reference), else 0. */
    static final RewardFunction ABOVE = new RewardFunction() {
        @Override public String name() { return "above-bound"; }

        @Override public Verdict evaluate(JudgedItem item) {
            var number = java.util.regex.Pattern.compile("-?\\d+").matcher(item.answer());
            boolean above = number.find() && Long.parseLong(number.group()) > Long.parseLong(item.reference());
            return Verdict.Score.point(above ? 1 : 0, 0, 1, above ? "above" : "not above", Provenance.function(name()));
        }
    };

    public static void main(String[] args) {
        Path policy = Path.of(args.length > 0 ? args[0] : "models/demo-policy");
        Path out = Path.of(args.length > 1 ? args[1] : "runs/above-bound");
        Random rng = new Random(7);
        List<TaskRecord> tasks = IntStream.range(0, 48).mapToObj(i -> new AboveBound(i, 10 + rng.nextInt(80)).task()).toList();

        ExperimentRun.Result r = ExperimentRun.builder()
                .name("above-bound").policy(policy)
                // Our workflow: one agent, no memory between tasks, over the policy as it is this round.
                .workflow(model -> Agent.builder().name("sayer").role("You answer with one number.").model(model)
                        .memory(MemoryPolicy.NONE).build())
                .tasks(tasks.subList(0, 32), tasks.subList(32, 48))
                .reward(ABOVE, 1.0)
                .answerCheck((task, answer) -> ABOVE.evaluate(JudgedItem.of(task.input(), answer, task.reference()))
                        instanceof Verdict.Score s && s.normalized() == 1)
                .algorithm(new Algorithm.Grpo(1e-4, 0.2, 0.28, 0.0, 1, 0))
                .rounds(2).tasksPerRound(8).rolloutsPerTask(4).answerTokens(6).seed(1)
                .out(out)
                .build()
                .run();
        System.out.println("held-out: " + ExperimentRun.accuracy(r.before()) + " -> " + ExperimentRun.accuracy(r.after()));
        System.out.println("report: " + r.report());
    }
}
