package dev.consilium.runtime.verifier;

import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.runtime.datasets.JudgeCases;
import dev.consilium.runtime.demo.arithmetic.ArithmeticJudge;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One thing a judge learns: the task, the transcript it reads (agent lines, or a bare answer), the reference, and the
 * truth ({@code label} 1 when the transcript's final answer is the exact result), with the kind of case it is. The
 * reply a correct judge writes ({@link #reply}) is the arithmetic judge's reading and verdict of the final answer.
 */
public record JudgeExample(String task, String transcript, String reference, String kind, int label) {
    /** An agent line, {@code solver: 42}: the name in lower case, a colon, a space. */
    private static final Pattern AGENT = Pattern.compile("(?m)^[a-z][a-z0-9_-]*: ");

    public static JudgeExample of(JudgeCases.Case c) {
        return new JudgeExample(c.problem().question(), c.transcript(), c.problem().answer(), c.kind().id, c.label());
    }

    /**
     * A pointwise gold item as an example; its label must be what the judge's reading of its final answer gives,
     * else the item is one the arithmetic judge's reading cannot learn and the error names it.
     */
    public static JudgeExample of(GoldItem g) {
        if (g.isPairwise()) throw new IllegalArgumentException("gold item " + g.id() + " is pairwise; the judge trains on pointwise items");
        if (g.reference() == null) throw new IllegalArgumentException("gold item " + g.id() + " has no \"reference\"; the judge is reference-guided");
        JudgeExample e = new JudgeExample(g.task(), g.answer(), g.reference(), g.kind(), g.label() >= 0.5 ? 1 : 0);
        if (e.replyScore() != e.label) {
            throw new IllegalArgumentException("gold item " + g.id() + ": label " + g.label() + " but its final answer \""
                    + finalAnswer(g.answer()) + "\" against reference " + g.reference() + " reads as " + e.replyScore()
                    + "; fix the label or leave the item out");
        }
        return e;
    }

    /** The last turn's text: after the last {@code agent: } line start, or the whole text where there is none. */
    public static String finalAnswer(String transcript) {
        Matcher m = AGENT.matcher(transcript);
        int from = 0;
        while (m.find()) from = m.end();
        return transcript.substring(from);
    }

    /** What a correct judge writes: its reading, then {@code Score: N}. */
    public String reply() {
        return ArithmeticJudge.verdict(reference, finalAnswer(transcript));
    }

    private int replyScore() {
        return reply().endsWith("Score: 1") ? 1 : 0;
    }
}
