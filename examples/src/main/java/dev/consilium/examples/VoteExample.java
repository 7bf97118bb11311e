package dev.consilium.examples;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.VoteStrategy;
import dev.consilium.agents.workflow.Workflows;

/** Self-consistency: five samples of one sloppy solver, the majority answer wins. */
public final class VoteExample {
    public static void main(String[] args) {
        Agent solver = Agent.builder()
                .name("solver")
                .role("You solve arithmetic problems. Answer with the number only.")
                .model(OfflineModel.sloppy())
                .build();

        Trajectory t = Workflows.vote(solver, 5, VoteStrategy.majority()).run(Task.of("What is 250 + 99?"));

        Print.summary(t);
    }
}
