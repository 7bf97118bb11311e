package dev.consilium.examples;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;

/** Three solvers at once, then an aggregator that reads all their answers. */
public final class ParallelExample {
    public static void main(String[] args) {
        Agent fast = Agent.builder().name("fast").role("Solve it quickly.").model(OfflineModel.sloppy()).build();
        Agent careful = Agent.builder().name("careful").role("Solve it step by step.").model(OfflineModel.careful()).build();
        Agent other = Agent.builder().name("other").role("Solve it another way.").model(OfflineModel.careful()).build();
        Agent aggregator = Agent.builder()
                .name("aggregator")
                .role("You read the final answers of several solvers and give the most common one.")
                .model(OfflineModel.careful())
                .build();

        Trajectory t = Workflows.parallel(fast, careful, other)
                .combiner(aggregator)
                .run(Task.of("What is 17 + 25?"));

        Print.summary(t);
    }
}
