package dev.consilium.examples;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;

import java.util.List;

/** Three debaters answer, see each other's answers for two rounds, then a judge gives the final answer. */
public final class DebateExample {
    public static void main(String[] args) {
        Agent debater = Agent.builder()
                .name("alice")
                .role("You solve arithmetic problems. Answer with the number only.")
                .model(OfflineModel.sloppy())
                .build();
        Agent judge = Agent.builder()
                .name("judge")
                .role("You read the final answers of the debaters and give the single best answer.")
                .model(OfflineModel.careful())
                .build();
        List<Agent> debaters = List.of(debater, debater.toBuilder().name("bob").build(), debater.toBuilder().name("carol").build());

        Trajectory t = Workflows.debate(debaters, 2, judge).run(Task.of("What is 123 + 456?"));

        Print.summary(t);
    }
}
