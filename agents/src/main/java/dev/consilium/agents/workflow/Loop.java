package dev.consilium.agents.workflow;

import dev.consilium.agents.Conversation;
import dev.consilium.agents.Run;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Critique and revise: each round the reviser answers (seeing its earlier answers and the critiques), then the
 * critic reviews; the loop ends when {@code until} accepts a critique or after {@code maxRounds} rounds. The
 * answer is the reviser's latest.
 */
public record Loop(String name, Workflow reviser, Workflow critic, Predicate<Turn> until, int maxRounds)
        implements Workflow {

    public Loop {
        Objects.requireNonNull(reviser, "reviser");
        Objects.requireNonNull(critic, "critic");
        Objects.requireNonNull(until, "until");
        if (maxRounds < 1) throw new IllegalArgumentException("loop '" + name + "': maxRounds must be >= 1, got " + maxRounds);
    }

    public Loop named(String name) {
        return new Loop(name, reviser, critic, until, maxRounds);
    }

    /** Stops when the critic's turn passes {@code accept}. */
    public Loop until(Predicate<Turn> accept) {
        return new Loop(name, reviser, critic, accept, maxRounds);
    }

    public Loop maxRounds(int rounds) {
        return new Loop(name, reviser, critic, until, rounds);
    }

    @Override
    public Turn respond(Conversation conversation) {
        Conversation c = conversation;
        Turn answer = null;
        for (int round = 1; round <= maxRounds; round++) {
            String r = "round-" + round + "/";
            answer = Run.step(reviser, r + reviser.name(), c, true);
            c = c.with(answer);
            Turn critique = Run.step(critic, r + critic.name(), c);
            if (until.test(critique)) break;
            c = c.with(critique);
        }
        return answer;
    }
}
