package dev.consilium.examples;

import dev.consilium.agents.Agent;
import dev.consilium.agents.MemoryPolicy;
import dev.consilium.agents.Task;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;

/** A solver, then a checker that reads only the solver's answer: two steps, one after the other. */
public final class SequenceExample {
    public static void main(String[] args) {
        Agent solver = Agent.builder()
                .name("solver")
                .role("You solve arithmetic problems. Answer with the number only.")
                .model(OfflineModel.careful())
                .build();
        Agent checker = Agent.builder()
                .name("checker")
                .role("You check the solver's answer and say 'correct' or what is wrong.")
                .memory(MemoryPolicy.LAST)
                .model(OfflineModel.careful())
                .build();

        Trajectory t = Workflows.sequence(solver, checker).run(Task.of("What is 17 + 25?"));

        Print.summary(t);
    }
}
