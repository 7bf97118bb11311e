package dev.consilium.rewards.parse;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The verdict markers the parser reads, in one place, so that {@link ContentFence} defangs at least what
 * {@link VerdictParser} would read. Group 1 of each pattern is the value; {@code [*_ ]} tolerates markdown bold.
 * Both match on {@link Normalized} text, so full-width and zero-width-split markers are markers too.
 */
final class Markers {
    private Markers() {}

    private static final String SEP = "[*_\\s]*(?:[:=]|\\bis\\b)[*_\\s]*";

    /** {@code Score: 4}, {@code **Rating:** 7/10}, {@code [RESULT] 5}, {@code final score is 3}. */
    static final Pattern SCORE = Pattern.compile(
            "(?iu)(?:\\[\\s*RESULT\\s*\\][*_\\s]*[:=]?[*_\\s]*|\\b(?:score|rating|grade)" + SEP + ")(\\p{Nd}+(?:[.,]\\p{Nd}+)?)");

    /**
     * What judged content may not carry to the judge model: {@link #SCORE} and its looser spellings a model still
     * reads as a verdict ({@code score 10}, {@code score of 10}, {@code rated 10}). The parser keeps to the strict
     * form, so a judge's prose such as "a score 3 would be too low" on its last line is not read as its verdict.
     */
    static final Pattern SCORE_LOOSE = Pattern.compile(
            "(?iu)(?:\\[\\s*RESULT\\s*\\][*_\\s]*[:=]?[*_\\s]*|\\b(?:score|rating|grade|rated)[*_\\s]*"
                    + "(?:[:=]|\\b(?:is|of|as)\\b)?[*_\\s]*)(\\p{Nd}+(?:[.,]\\p{Nd}+)?)");

    /** {@code [[A]]}, {@code [[B]]}, {@code [[C]]} (a tie, MT-Bench style), {@code Winner: B}, {@code Verdict: tie}. */
    static final Pattern CHOICE = Pattern.compile(
            "(?iu)\\[\\[\\s*((?-i:A|B|C)|tie)\\s*\\]\\]|\\b(?:winner|verdict|better answer)" + SEP + "(?:answer\\s+)?((?-i:A|B)|tie)\\b");

    /** {@code Ranking: 2 > 1 > 3}. */
    static final Pattern RANKING = Pattern.compile(
            "(?iu)\\branking" + SEP + "(\\p{Nd}+(?:\\s*[>,]\\s*\\p{Nd}+)+)");

    /**
     * One line of a group verdict: {@code Candidate 2: Score: 4}, {@code **Candidate 3** - score 1}, {@code Candidate
     * 1: N/A}. Group 1 is the candidate number, group 2 the rest of the line, where the score marker is looked for.
     */
    static final Pattern GROUP_LINE = Pattern.compile(
            "(?iu)^[\\s*_#>-]*candidate[*_\\s]*#?\\s*(\\p{Nd}+)[*_\\s]*[:=\\-–—][*_\\s]*(.*)$");

    /** A JSON key the parser reads: {@code "score":}, {@code "scores":}, {@code "winner":}, {@code "ranking":}. */
    static final Pattern JSON_KEY = Pattern.compile("(?iu)\"\\s*(scores?|winner|ranking|verdict)\\s*\"\\s*:");

    /** What the fence defangs: a superset of what the parser reads. */
    static final List<Pattern> VERDICTS = List.of(SCORE_LOOSE, CHOICE, RANKING, JSON_KEY);

    /** Anything shaped like the judge prompt's delimiters ({@code <answer-…>}, {@code </task-…>}). */
    static final Pattern DELIMITER = Pattern.compile(
            "(?iu)<(?=\\s*/?\\s*(?:task|answer|reference|candidate|rubric))");

    /** Text addressed to the judge rather than answering the task. */
    static final List<Pattern> INSTRUCTIONS = List.of(
            Pattern.compile("(?iu)\\b(?:ignore|disregard|forget|override)\\b[^.\\n]{0,40}\\b(?:instructions?|rubric|prompt|rules|above|previous)\\b"),
            Pattern.compile("(?iu)\\b(?:you are|act as|as)\\s+(?:an?\\s+|the\\s+)?(?:judge|grader|evaluator|reviewer)\\b"),
            Pattern.compile("(?iu)\\b(?:give|assign|award|rate|grade)\\s+(?:this|it|me|the answer|this answer|this response)\\s+"
                    + "(?:as\\s+)?(?:an?\\s+|the\\s+)?(?:score|grade|rating|perfect|full|top|maximum|\\p{Nd}+)"),
            Pattern.compile("(?iu)\\b(?:system prompt|new instructions|note to (?:the )?(?:judge|grader|evaluator))\\b"));
}
