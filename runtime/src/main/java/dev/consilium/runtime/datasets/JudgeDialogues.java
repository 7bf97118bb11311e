package dev.consilium.runtime.datasets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The demo judge's training chats: a solver → reviser transcript of an arithmetic task, and the judge's
 * answer in words: its own column-by-column working, the final answer it read from the transcript, and a
 * verdict line. Labels are true by construction (the working is computed, not sampled). Problems are drawn
 * fresh and never from the held-out split.
 *
 * <p>Transcripts vary the way real rollouts do: either turn right or wrong, the final answer missing or
 * not a number, and the judged content fenced by delimiters carrying a random nonce in one of several
 * styles, so the judge reads whatever fence the judging code puts around untrusted content.
 */
public final class JudgeDialogues {
    public static final String JUDGE_ROLE = "You are the judge. Work out the task column by column, then say whether the final answer is correct.";
    public static final String CORRECT = "Verdict: correct";
    public static final String INCORRECT = "Verdict: incorrect";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[][] FENCES = {
            {"<transcript-%s>", "</transcript-%s>"},
            {"<<<BEGIN %s>>>", "<<<END %s>>>"},
            {"[[content %s]]", "[[/content %s]]"}};

    private JudgeDialogues() {}

    /** What the judge is asked: the task and the transcript, fenced. */
    public static String prompt(String question, String transcript, String open, String close) {
        return "Task: " + question + "\n" + open + "\n" + transcript + "\n" + close;
    }

    /** The transcript as the judge reads it: one line per turn, {@code agent: text}. */
    public static String transcript(String solver, String reviser) {
        return "solver: " + solver + "\nreviser: " + reviser;
    }

    /** The judge's answer for a task {@code a op b} whose final answer reads {@code finalAnswer}. */
    public static String verdict(int a, int b, boolean add, String finalAnswer) {
        int truth = add ? a + b : a - b;
        String answer = finalAnswer.strip();
        String read = answer.isEmpty() ? "The final answer is missing." : "The final answer is " + answer + ".";
        return ColumnArithmetic.working(a, b, add) + " so " + a + (add ? " + " : " - ") + b + " = " + truth + ". "
                + read + " " + (answer.equals(Integer.toString(truth)) ? CORRECT : INCORRECT);
    }

    /** Writes {@code count} judge chats to {@code file}, from {@code seed}, avoiding {@code exclude}'s questions. */
    public static void write(Path file, long seed, int count, List<Problem> exclude) {
        Random rng = new Random(seed);
        Set<String> held = new HashSet<>();
        for (Problem p : exclude) held.add(p.question());
        StringBuilder out = new StringBuilder();
        for (int written = 0; written < count; ) {
            Problem p = ArithmeticDataset.draw(rng, "");
            if (held.contains(p.question())) continue;
            String[] t = p.question().substring("What is ".length(), p.question().length() - 1).split(" ");
            int a = Integer.parseInt(t[0]), b = Integer.parseInt(t[2]);
            boolean add = t[1].equals("+");
            String solver = answer(rng, p.answer());
            String reviser = rng.nextInt(4) == 0 ? solver : answer(rng, p.answer());
            String[] fence = FENCES[rng.nextInt(FENCES.length)];
            String nonce = HexFormat.of().toHexDigits(rng.nextInt()).substring(0, 6 + rng.nextInt(3));
            String user = prompt(p.question(), transcript(solver, reviser), fence[0].formatted(nonce), fence[1].formatted(nonce));
            out.append(chat(user, verdict(a, b, add, reviser))).append('\n');
            written++;
        }
        ArithmeticDataset.writeAtomically(file, out);
    }

    /** Mostly a plausible answer, right or near; now and then what a derailed policy emits. */
    private static String answer(Random rng, String truth) {
        return switch (rng.nextInt(20)) {
            case 0 -> "";
            case 1 -> "I think " + truth;
            case 2 -> truth + truth.charAt(truth.length() - 1);
            default -> ArithmeticDialogues.proposal(rng, truth);
        };
    }

    private static ObjectNode chat(String user, String assistant) {
        ObjectNode chat = JSON.createObjectNode();
        ArrayNode messages = chat.putArray("messages");
        messages.addObject().put("role", "system").put("content", JUDGE_ROLE);
        messages.addObject().put("role", "user").put("content", user);
        messages.addObject().put("role", "assistant").put("content", assistant);
        return chat;
    }
}
