package dev.consilium.examples;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;

/** A model decides who acts next (solver, then checker) and when to stop; never more than 4 steps. */
public final class RouterExample {
    public static void main(String[] args) {
        Agent solver = Agent.builder()
                .name("solver")
                .role("You solve arithmetic problems. Answer with the number only.")
                .model(OfflineModel.careful())
                .build();
        Agent checker = Agent.builder()
                .name("checker")
                .role("You check the latest answer and say 'correct' or what is wrong.")
                .description("checks an answer")
                .model(OfflineModel.careful())
                .build();

        Trajectory t = Workflows.router(OfflineModel.careful(), solver, checker)
                .maxSteps(4)
                .run(Task.of("What is 17 + 25?"));

        Print.summary(t);
    }
}
