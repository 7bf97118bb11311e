package dev.consilium.runtime.demo.arithmetic;

import dev.consilium.rewards.judge.JudgeModel;
import dev.consilium.rewards.judge.PointwiseJudge;
import dev.consilium.rewards.judge.PromptTemplate;
import dev.consilium.rewards.judge.Scale;
import dev.consilium.runtime.loop.Transcripts;
import dev.langchain4j.model.chat.ChatModel;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's LLM judge: a reference-guided pointwise binary judge (the rewards module's {@link PointwiseJudge},
 * so its prompt is fenced and its verdict parsed exactly as for an API judge) with a compact prompt a small
 * built-in model reads in a few dozen tokens. It reads the transcript, copies the final answer and the reference
 * digit by digit, compares them position by position ({@link #verdict}), and ends with the {@code Score: N} line
 * the parser reads.
 * A reference-guided judge (as in MT-Bench's grading of maths) is what a tiny model can do reliably; the
 * transcript is still free text that only a reader of it can score.
 */
public final class ArithmeticJudge {
    public static final PromptTemplate PROMPT = PromptTemplate.of("arithmetic-judge", "2",
            "You are the judge. Find the final answer in the transcript and say whether it matches the reference.",
            "Task: {{task}}\n{{reference}}{{answer}}");
    public static final String RUBRIC = "The final answer in the transcript is the exact result of the task.";

    private ArithmeticJudge() {}

    /** The judge over {@code model}; its score is probability-weighted where the model reports logprobs. */
    public static PointwiseJudge over(ChatModel model, String name, long nonceSeed) {
        return PointwiseJudge.builder()
                .model(JudgeModel.builder().model(model).name(name).nonceSeed(nonceSeed)
                        .structuredOutput(JudgeModel.StructuredOutput.NEVER).build())
                .rubric(RUBRIC).scale(Scale.BINARY).prompt(PROMPT).probabilityWeighted(2).build();
    }

    /** One turn as the judge reads it in a transcript: as the loop writes transcripts ({@link Transcripts}). */
    public static String line(String agent, String text) {
        return Transcripts.line(agent, text);
    }

    /**
     * What a correct judge writes of a transcript whose final answer reads {@code finalAnswer}, for
     * {@code reference}: its reading, then the verdict. A stated number is copied digit by digit under position
     * labels, the reference likewise, and then each position's pair with {@code =} or {@code x}:
     * <pre>
     * final: a1 b8 c0
     * reference: a1 b8 c9
     * a1 1= b8 8= c0 9x
     * Score: 0</pre>
     * The tokenizer gives each digit its own token, so a label is one token and the digit after it another: a tiny
     * model finds position c of either number by looking for its label (an induction lookup, which holds where
     * digits repeat) rather than by counting, and each mark compares the two tokens just before it. Every label
     * follows a space, so each is the same token on all three lines. A final
     * answer that states no number (missing, hedged, anything else) is named and scored 0 without a comparison.
     */
    public static String verdict(String reference, String finalAnswer) {
        String stated = statedNumber(finalAnswer);
        if (stated == null) return "final: " + unstated(finalAnswer) + "\nScore: 0";
        StringBuilder out = new StringBuilder("final: ").append(labelled(stated))
                .append("\nreference: ").append(labelled(reference)).append("\ncheck:");
        for (int k = 0; k < Math.max(stated.length(), reference.length()); k++) {
            char f = k < stated.length() ? stated.charAt(k) : '-', r = k < reference.length() ? reference.charAt(k) : '-';
            out.append(' ').append(LABELS.charAt(k)).append(f).append(' ').append(r).append(f == r ? '=' : 'x');
        }
        return out.append("\nScore: ").append(stated.equals(reference) ? 1 : 0).toString();
    }

    /** Position labels, one per digit; the demo's answers have at most 4 digits, a reference up to 8 reads too. */
    private static final String LABELS = "abcdefgh";
    private static final Pattern BARE = Pattern.compile("\\d{1," + LABELS.length() + "}");
    /** Statements of a result: "The answer is 42.", "8 + 5 = 13", a worked paragraph ending "Final answer: 42". */
    private static final Pattern STATED = Pattern.compile("(?s)(?:The answer is |.* = |.*Final answer: )(\\d{1," + LABELS.length() + "})\\.?");
    private static final Pattern HEDGE = Pattern.compile("(?is)(?:I think|maybe|probably|perhaps|I guess|not sure).*|.*\\?");

    /** The number {@code answer} states as its result, or null where it states none (missing, hedged, other). */
    static String statedNumber(String answer) {
        String a = answer.strip();
        if (BARE.matcher(a).matches()) return a;
        if (HEDGE.matcher(a).matches()) return null;
        Matcher m = STATED.matcher(a);
        return m.matches() ? m.group(1) : null;
    }

    private static String unstated(String answer) {
        String a = answer.strip();
        return a.isEmpty() ? "missing" : HEDGE.matcher(a).matches() ? "hedged" : "not a number";
    }

    private static String labelled(String digits) {
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < digits.length(); k++) {
            if (k > 0) out.append(' ');
            out.append(LABELS.charAt(k)).append(digits.charAt(k));
        }
        return out.toString();
    }
}
