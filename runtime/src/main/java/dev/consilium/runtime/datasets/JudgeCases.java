package dev.consilium.runtime.datasets;

import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.demo.arithmetic.ArithmeticJudge;

import java.util.List;
import java.util.Random;

/**
 * Transcripts a judge must get right, by kind, labelled by construction: the near misses a weak solver makes (a
 * digit off, two digits swapped, off by ten), a reviser that breaks a right proposal or fixes a wrong one, hedged
 * answers, a hedging solver whose reviser answers bare, and plainly right or wrong ones. One source for the gold set ({@link JudgeGoldDataset}) and the judge's
 * training items ({@code consilium judge train}), which draw from different problems.
 */
public final class JudgeCases {
    /** What a case probes; {@code right} is its label (1 when the transcript's final answer is the exact result). */
    public enum Kind {
        RIGHT("right", true), WRONG("wrong", false), DIGIT_OFF("digit-off", false), DIGITS_SWAPPED("digits-swapped", false),
        OFF_BY_TEN("off-by-ten", false), REVISER_BREAKS("reviser-breaks", false), REVISER_FIXES("reviser-fixes", true),
        REVISER_CONFIRMS("reviser-confirms", true), HEDGED("hedged", false), MISSING("missing", false),
        // last, so the gold items of the kinds before it are drawn as they were before it was added
        HEDGED_PROPOSAL("hedged-proposal", true);

        public final String id;
        public final boolean right;

        Kind(String id, boolean right) {
            this.id = id;
            this.right = right;
        }
    }

    /** A judged transcript: its problem, kind, text (agent lines, or a bare answer) and final answer. */
    public record Case(Problem problem, Kind kind, String transcript, String finalAnswer) {
        public int label() {
            return kind.right ? 1 : 0;
        }
    }

    private JudgeCases() {}

    /** Whether {@code kind} can be made of {@code p} (two digits to swap need two distinct ones, not a leading 0). */
    public static boolean applies(Kind kind, Problem p) {
        return kind != Kind.DIGITS_SWAPPED || swapped(p.answer()) != null;
    }

    /** A case of {@code kind} on {@code p}; {@link #applies} must hold. */
    public static Case of(Kind kind, Problem p, Random rng) {
        String truth = p.answer();
        return switch (kind) {
            // right and wrong come as agent turns, or worded as the first gold set had them (a bare number to a
            // worked paragraph)
            case RIGHT -> rng.nextBoolean() ? final_(p, kind, truth, rng) : bare(p, kind, phrase(p.question(), truth, rng));
            case WRONG -> rng.nextBoolean() ? final_(p, kind, wrong(truth, rng), rng)
                    : bare(p, kind, phrase(p.question(), nearMiss(truth, rng), rng));
            case DIGIT_OFF -> final_(p, kind, digitOff(truth, rng), rng);
            case DIGITS_SWAPPED -> final_(p, kind, swapped(truth), rng);
            case OFF_BY_TEN -> final_(p, kind, offByTen(truth, rng), rng);
            case REVISER_BREAKS -> turns(p, kind, truth, nearMiss(truth, rng));
            case REVISER_FIXES -> turns(p, kind, nearMiss(truth, rng), truth);
            case REVISER_CONFIRMS -> turns(p, kind, truth, truth);
            case HEDGED -> final_(p, kind, ArithmeticDialogues.hedged(rng.nextInt(4) == 0 ? nearMiss(truth, rng) : truth), rng);
            case MISSING -> final_(p, kind, "", rng);
            // a hedging solver, then a reviser that answers bare: the final answer is the reviser's, and right
            case HEDGED_PROPOSAL -> turns(p, kind, ArithmeticDialogues.hedged(rng.nextBoolean() ? truth : nearMiss(truth, rng)), truth);
        };
    }

    /** The transcript's final answer is {@code last}: the solver's alone, or the reviser's after any proposal. */
    private static Case final_(Problem p, Kind kind, String last, Random rng) {
        if (rng.nextInt(3) == 0) return new Case(p, kind, ArithmeticJudge.line("solver", last), last);
        String proposal = rng.nextBoolean() ? p.answer() : rng.nextBoolean() ? last : nearMiss(p.answer(), rng);
        return turns(p, kind, proposal, last);
    }

    private static Case turns(Problem p, Kind kind, String solver, String reviser) {
        return new Case(p, kind, ArithmeticJudge.line("solver", solver) + "\n" + ArithmeticJudge.line("reviser", reviser), reviser);
    }

    private static Case bare(Problem p, Kind kind, String answer) {
        return new Case(p, kind, answer, answer);
    }

    /** A wrong answer a weak solver gives (off by one, ten, a hundred, or anything), never the truth. */
    static String wrong(String truth, Random rng) {
        String w;
        do w = ArithmeticDialogues.proposal(rng, truth); while (w.equals(truth));
        return w;
    }

    /** One of the near misses, never the truth. */
    static String nearMiss(String truth, Random rng) {
        int pick = rng.nextInt(swapped(truth) == null ? 3 : 4);
        return switch (pick) {
            case 0 -> digitOff(truth, rng);
            case 1 -> offByTen(truth, rng);
            case 2 -> Integer.toString(Integer.parseInt(truth) + (rng.nextBoolean() || truth.equals("0") ? 1 : -1));
            default -> swapped(truth);
        };
    }

    /** One digit changed to another (a leading digit never to 0). */
    static String digitOff(String truth, Random rng) {
        int k = rng.nextInt(truth.length());
        char[] d = truth.toCharArray();
        int lo = k == 0 && d.length > 1 ? 1 : 0;
        char c;
        do c = (char) ('0' + lo + rng.nextInt(10 - lo)); while (c == d[k]);
        d[k] = c;
        return new String(d);
    }

    /** The first two adjacent distinct digits swapped (never a 0 to the front); null where no swap gives another number. */
    static String swapped(String truth) {
        for (int k = 0; k + 1 < truth.length(); k++) {
            char a = truth.charAt(k), b = truth.charAt(k + 1);
            if (a != b && !(k == 0 && b == '0')) {
                return truth.substring(0, k) + b + a + truth.substring(k + 2);
            }
        }
        return null;
    }

    /** Ten more or less (less only where it stays non-negative). */
    static String offByTen(String truth, Random rng) {
        int v = Integer.parseInt(truth);
        return Integer.toString(v >= 10 && rng.nextBoolean() ? v - 10 : v + 10);
    }

    /** {@code value} worded as an answer might be: a bare number, a sentence, an equation, a worked paragraph. */
    static String phrase(String question, String value, Random rng) {
        String expr = question.substring("What is ".length(), question.length() - 1);
        return switch (rng.nextInt(4)) {
            case 0 -> value;
            case 1 -> "The answer is " + value + ".";
            case 2 -> expr + " = " + value;
            default -> "Let me work this out carefully, one column at a time, carrying or borrowing where needed. "
                    + "Computing " + expr + " step by step, the result comes to " + value + ". Final answer: " + value;
        };
    }

    /**
     * A training case from {@code rng}: a fresh problem whose question {@code exclude} does not hold, of a kind drawn
     * so that about half the cases are right (the kinds labelled 1 come twice as often).
     */
    public static Case sample(Random rng, java.util.Set<String> exclude) {
        Problem p;
        do p = ArithmeticDataset.draw(rng, ""); while (exclude.contains(p.question()));
        Kind kind;
        do {
            int pick = rng.nextInt(Kind.values().length + 3);
            kind = pick < Kind.values().length ? Kind.values()[pick]
                    : List.of(Kind.RIGHT, Kind.REVISER_FIXES, Kind.REVISER_CONFIRMS).get(pick - Kind.values().length);
        } while (!applies(kind, p));
        return of(kind, p, rng);
    }

    /** Every kind, in a fixed order. */
    public static List<Kind> kinds() {
        return List.of(Kind.values());
    }
}
