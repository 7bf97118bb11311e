package dev.consilium.agents.workflow;

import dev.consilium.agents.Conversation;
import dev.consilium.agents.Run;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;

import java.util.List;

/** Steps one after another; each sees the conversation so far, the last one's turn is the answer. */
public record Sequence(String name, List<Workflow> steps) implements Workflow {

    public Sequence {
        steps = Workflows.requireNodes("sequence", steps);
    }

    public Sequence named(String name) {
        return new Sequence(name, steps);
    }

    @Override
    public Turn respond(Conversation conversation) {
        List<String> segments = Run.segments(steps);
        Conversation c = conversation;
        Turn last = null;
        for (int i = 0; i < steps.size(); i++) {
            last = Run.step(steps.get(i), segments.get(i), c, i == steps.size() - 1);
            c = c.with(last);
        }
        return last;
    }
}
