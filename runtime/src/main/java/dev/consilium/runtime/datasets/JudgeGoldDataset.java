package dev.consilium.runtime.datasets;

import dev.consilium.rewards.calibration.GoldItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Gold sets for judge calibration, labelled by construction from {@link ArithmeticDataset}'s problems: each
 * problem yields a correct answer (label 1), a wrong one (label 0; off by one, by ten, or with two digits swapped,
 * the mistakes a weak solver makes), and a pair of the two in random order (label 1 when A is the correct one).
 * Each answer's wording, from a bare number to a worked paragraph, is drawn independently of its label, so any
 * slope of score on length is the judge's bias, not the data's.
 */
public final class JudgeGoldDataset {
    private JudgeGoldDataset() {}

    public static List<GoldItem> arithmetic(long seed, int problems) {
        Random rng = new Random(seed);
        List<ArithmeticDataset.Problem> source = ArithmeticDataset.generate(seed, 0, problems).heldout();
        List<GoldItem> pointwise = new ArrayList<>(), pairwise = new ArrayList<>();
        for (ArithmeticDataset.Problem p : source) {
            int right = Integer.parseInt(p.answer());
            int wrong = mistake(right, rng);
            String good = phrase(p.question(), right, rng), bad = phrase(p.question(), wrong, rng);
            String id = p.id().replace("arith-", "");
            pointwise.add(GoldItem.pointwise("judge-" + id + "-right", p.question(), good, p.answer(), 1));
            pointwise.add(GoldItem.pointwise("judge-" + id + "-wrong", p.question(), bad, p.answer(), 0));
            boolean goodFirst = rng.nextBoolean();
            pairwise.add(GoldItem.pairwise("judge-" + id + "-pair", p.question(), goodFirst ? good : bad, goodFirst ? bad : good,
                    p.answer(), goodFirst ? 1 : 0));
        }
        List<GoldItem> all = new ArrayList<>(pointwise);
        all.addAll(pairwise);
        return all;
    }

    /** A wrong result a solver could plausibly give; never the right one. */
    static int mistake(int right, Random rng) {
        String digits = Integer.toString(right);
        int kind = rng.nextInt(3);
        if (kind == 2 && digits.length() >= 2 && digits.charAt(0) != digits.charAt(1) && digits.charAt(1) != '0') {
            return Integer.parseInt(digits.charAt(1) + "" + digits.charAt(0) + digits.substring(2));
        }
        int delta = kind == 0 ? 1 : 10;
        return right - delta >= 0 && rng.nextBoolean() ? right - delta : right + delta;
    }

    private static String phrase(String question, int value, Random rng) {
        String expr = question.substring("What is ".length(), question.length() - 1);
        return switch (rng.nextInt(4)) {
            case 0 -> Integer.toString(value);
            case 1 -> "The answer is " + value + ".";
            case 2 -> expr + " = " + value;
            default -> "Let me work this out carefully, one column at a time, carrying or borrowing where needed. "
                    + "Computing " + expr + " step by step, the result comes to " + value + ". Final answer: " + value;
        };
    }
}
