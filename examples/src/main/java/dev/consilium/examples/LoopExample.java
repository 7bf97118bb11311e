package dev.consilium.examples;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;

/** Critique and revise: a sloppy solver and a critic, until the critic says 'correct' (3 rounds at most). */
public final class LoopExample {
    public static void main(String[] args) {
        Agent solver = Agent.builder()
                .name("solver")
                .role("You solve arithmetic problems. Answer with the number only.")
                .model(OfflineModel.sloppy())
                .build();
        Agent critic = Agent.builder()
                .name("critic")
                .role("You check the solver's answer and say 'correct' or what is wrong.")
                .model(OfflineModel.careful())
                .build();

        Workflow review = Workflows.loop(solver, critic)
                .until(turn -> turn.text().contains("correct") && !turn.text().contains("wrong"))
                .maxRounds(3);

        Trajectory t = review.run(Task.of("What is 17 + 25?"));
        Print.summary(t);
    }
}
