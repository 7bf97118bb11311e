package dev.consilium.agents.workflow;

import dev.consilium.agents.Conversation;
import dev.consilium.agents.Run;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;

import java.util.ArrayList;
import java.util.List;

/**
 * Branches on the same conversation at once, then a combiner that sees all their turns and gives the answer.
 * Without a combiner the answer lists each branch's text under its name.
 */
public record Parallel(String name, List<Workflow> branches, Workflow combiner) implements Workflow {

    public Parallel {
        branches = Workflows.requireNodes("parallel", branches);
    }

    public Parallel named(String name) {
        return new Parallel(name, branches, combiner);
    }

    /** The node that reads every branch's turn and answers: an agent, or {@link Workflows#step} for code. */
    public Parallel combiner(Workflow combiner) {
        return new Parallel(name, branches, combiner);
    }

    @Override
    public Turn respond(Conversation conversation) {
        List<String> segments = Run.segments(branches);
        List<Run.Branch> fan = new ArrayList<>(branches.size());
        for (int i = 0; i < branches.size(); i++) fan.add(new Run.Branch(segments.get(i), branches.get(i), conversation));
        List<Turn> turns = Run.all(fan);
        if (combiner != null) return Run.step(combiner, combiner.name(), conversation.with(turns), true);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < turns.size(); i++) {
            if (i > 0) sb.append("\n\n");
            sb.append(segments.get(i)).append(": ").append(turns.get(i).text());
        }
        return Turn.of(name, sb.toString());
    }
}
