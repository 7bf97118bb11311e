package dev.consilium.agents.workflow;

import dev.consilium.agents.Conversation;
import dev.consilium.agents.Run;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Self-consistency: {@code n} samples of one node at once, then a strategy picks the answer. The samples differ
 * only as the model samples (set a temperature on the agent); with a response cache in front of the model,
 * identical requests share one answer.
 */
public record Vote(String name, Workflow voter, int n, VoteStrategy strategy) implements Workflow {

    public Vote {
        Objects.requireNonNull(voter, "voter");
        Objects.requireNonNull(strategy, "strategy");
        if (n < 1) throw new IllegalArgumentException("vote '" + name + "': n must be >= 1, got " + n);
    }

    public Vote named(String name) {
        return new Vote(name, voter, n, strategy);
    }

    @Override
    public Turn respond(Conversation conversation) {
        List<Run.Branch> samples = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) samples.add(new Run.Branch("sample-" + i + "/" + voter.name(), voter, conversation));
        return strategy.pick(Run.all(samples));
    }
}
