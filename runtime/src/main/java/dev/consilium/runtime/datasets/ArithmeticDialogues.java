package dev.consilium.runtime.datasets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The demo policy's supervised warm-up: arithmetic problems as the two turns of the demo's solver → reviser
 * workflow, in chat form ({@code {"messages": [...]}}) so {@code consilium train} renders them with the
 * chat template the agents later prompt with. Problems are drawn fresh, never one of the held-out
 * questions, so held-out accuracy measures what was learned, not what was seen.
 *
 * <p>The reviser sees the solver's proposal, right half the time and plausibly wrong otherwise, and always
 * answers the true result: it learns to check, not to copy.
 *
 * <p>A {@code hedge} share of the answers (and of the proposals the reviser is shown) come as {@code I think 42}
 * instead of {@code 42}, against the roles' "answer only": the habit of a sloppy warm-up set, which a judge
 * holding the policy to its instructions then has to train away.
 */
public final class ArithmeticDialogues {
    public static final String SOLVER_ROLE = "You are the solver. Reply with the answer only.";
    public static final String REVISER_ROLE = "You are the reviser. Check the proposed answer; reply with the correct answer only.";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ArithmeticDialogues() {}

    /** What the reviser is asked: the task and the solver's proposal. */
    public static String reviserPrompt(String question, String proposal) {
        return question + "\nProposed answer: " + proposal.strip();
    }

    /** A hedged answer: the number, not alone. */
    public static String hedged(String answer) {
        return "I think " + answer;
    }

    /**
     * Writes {@code dialogues} chats (alternately a solver turn and a reviser turn) to {@code file}, drawn
     * from {@code seed} and avoiding every question in {@code exclude}; a {@code hedge} share of answers hedge.
     */
    public static void write(Path file, long seed, int dialogues, List<Problem> exclude, double hedge) {
        Random rng = new Random(seed);
        Set<String> held = new HashSet<>();
        for (Problem p : exclude) held.add(p.question());
        StringBuilder out = new StringBuilder();
        for (int written = 0; written < dialogues; ) {
            Problem p = ArithmeticDataset.draw(rng, "");
            if (held.contains(p.question())) continue;
            ObjectNode chat = written % 2 == 0
                    ? chat(SOLVER_ROLE, p.question(), hedge(rng, hedge, p.answer()))
                    : chat(REVISER_ROLE, reviserPrompt(p.question(), hedge(rng, hedge, proposal(rng, p.answer()))),
                            hedge(rng, hedge, p.answer()));
            out.append(chat).append('\n');
            written++;
        }
        ArithmeticDataset.writeAtomically(file, out);
    }

    // With no hedging the generator draws exactly as before, so the base policy's chats stay reproducible.
    private static String hedge(Random rng, double rate, String answer) {
        return rate > 0 && rng.nextDouble() < rate ? hedged(answer) : answer;
    }

    /** The true answer half the time, else a near miss of the kind a weak solver makes. */
    static String proposal(Random rng, String answer) {
        if (rng.nextBoolean()) return answer;
        int a = Integer.parseInt(answer);
        int wrong = switch (rng.nextInt(4)) {
            case 0 -> a + (rng.nextBoolean() ? 1 : -1);
            case 1 -> a + (rng.nextBoolean() ? 10 : -10);
            case 2 -> a + (rng.nextBoolean() ? 100 : -100);
            default -> rng.nextInt(Math.max(10, 2 * a + 1));
        };
        if (wrong == a) wrong = a + 1;
        return Integer.toString(Math.abs(wrong));
    }

    private static ObjectNode chat(String role, String user, String assistant) {
        ObjectNode chat = JSON.createObjectNode();
        ArrayNode messages = chat.putArray("messages");
        messages.addObject().put("role", "system").put("content", role);
        messages.addObject().put("role", "user").put("content", user);
        messages.addObject().put("role", "assistant").put("content", assistant);
        return chat;
    }
}
