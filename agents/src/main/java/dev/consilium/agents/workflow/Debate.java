package dev.consilium.agents.workflow;

import dev.consilium.agents.Conversation;
import dev.consilium.agents.Run;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Multi-agent debate in the style of Du et al. (2023), "Improving Factuality and Reasoning in Language Models
 * through Multiagent Debate": in round 1 every debater answers alone; in each later round every debater sees, in
 * its own running conversation, the other debaters' previous answers and is asked for an updated answer. The
 * aggregator then reads the final answers and gives the answer. Debaters of a round run at once.
 */
public record Debate(String name, List<Workflow> debaters, int rounds, Workflow aggregator) implements Workflow {

    static final String UPDATE = "These are the recent answers of the other agents:\n\n%s\n\nUsing the reasoning of "
            + "the other agents as additional advice, give an updated answer.";
    static final String AGGREGATE = "These are the final answers of %d agents after debating:\n\n%s\n\nGive the "
            + "single best final answer.";

    public Debate {
        debaters = Workflows.requireNodes("debate", debaters);
        Objects.requireNonNull(aggregator, "aggregator");
        if (rounds < 1) throw new IllegalArgumentException("debate '" + name + "': rounds must be >= 1, got " + rounds);
    }

    public Debate named(String name) {
        return new Debate(name, debaters, rounds, aggregator);
    }

    @Override
    public Turn respond(Conversation conversation) {
        int n = debaters.size();
        List<String> segments = Run.segments(debaters);
        List<Conversation> own = new ArrayList<>(n);
        for (int i = 0; i < n; i++) own.add(conversation);
        List<Turn> answers = List.of();
        for (int round = 1; round <= rounds; round++) {
            List<Run.Branch> fan = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Conversation c = own.get(i);
                if (round > 1) {
                    c = c.with(answers.get(i)).with(Turn.instruction(String.format(UPDATE, others(answers, i))));
                    own.set(i, c);
                }
                fan.add(new Run.Branch("round-" + round + "/" + segments.get(i), debaters.get(i), c));
            }
            answers = Run.all(fan);
        }
        Turn ask = Turn.instruction(String.format(AGGREGATE, n, others(answers, -1)));
        return Run.step(aggregator, "aggregate/" + aggregator.name(), conversation.with(ask), true);
    }

    /** The answers other than {@code skip}'s, one paragraph each. */
    private static String others(List<Turn> answers, int skip) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < answers.size(); i++) {
            if (i == skip) continue;
            if (!sb.isEmpty()) sb.append("\n\n");
            sb.append("One agent's answer: ").append(answers.get(i).text());
        }
        return sb.toString();
    }
}
