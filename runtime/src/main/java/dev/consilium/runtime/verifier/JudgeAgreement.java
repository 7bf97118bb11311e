package dev.consilium.runtime.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.calibration.Stats;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.runtime.loop.ExperimentJudges;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A judge's agreement with gold labels, overall and per item kind: accuracy (an abstention counts as a
 * disagreement), Cohen's kappa over the items it scored, false-positive rate (wrong items it passed), false-negative
 * rate (right items it failed), abstain rate. A score of at least half the scale is a pass.
 */
public record JudgeAgreement(String judge, Counts overall, Map<String, Counts> perKind) {

    /** Tallies of one group of items. */
    public static final class Counts {
        int n, agree, abstained, negatives, falsePositives, positives, falseNegatives;
        final List<Integer> truth = new ArrayList<>(), said = new ArrayList<>();

        void add(int label, Verdict v) {
            n++;
            if (label == 1) positives++;
            else negatives++;
            if (!(v instanceof Verdict.Score s)) {
                abstained++;
                return;
            }
            int pass = s.normalized() >= 0.5 ? 1 : 0;
            truth.add(label);
            said.add(pass);
            if (pass == label) agree++;
            else if (pass == 1) falsePositives++;
            else falseNegatives++;
        }

        public double accuracy() { return ratio(agree, n); }
        public double falsePositiveRate() { return ratio(falsePositives, negatives); }
        public double falseNegativeRate() { return ratio(falseNegatives, positives); }
        public double abstainRate() { return ratio(abstained, n); }
        public int items() { return n; }

        /** Undefined (NaN) where the truth holds one class only: chance agreement then explains everything. */
        public double kappa() {
            int[] a = truth.stream().mapToInt(Integer::intValue).toArray(), b = said.stream().mapToInt(Integer::intValue).toArray();
            return a.length == 0 || truth.stream().distinct().count() < 2 ? Double.NaN : Stats.cohensKappa(a, b);
        }

        private static double ratio(int k, int n) {
            return n == 0 ? Double.NaN : (double) k / n;
        }

        ObjectNode json(ObjectMapper m) {
            ObjectNode o = m.createObjectNode().put("items", n);
            put(o, "accuracy", accuracy());
            put(o, "kappa", kappa());
            put(o, "false_positive_rate", falsePositiveRate());
            put(o, "false_negative_rate", falseNegativeRate());
            put(o, "abstain_rate", abstainRate());
            return o;
        }

        private static void put(ObjectNode o, String k, double v) {
            if (Double.isNaN(v)) o.putNull(k);
            else o.put(k, v);
        }

        String row(String name) {
            return String.format(Locale.ROOT, "%-18s %5d %9s %7s %7s %7s %8s", name, n, f(accuracy()), f(kappa()),
                    f(falsePositiveRate()), f(falseNegativeRate()), f(abstainRate()));
        }

        private static String f(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
        }
    }

    /** Runs {@code judge} over the pointwise items of {@code gold} (pairs are left out: the loop judges one at a time). */
    public static JudgeAgreement measure(RewardFunction judge, List<GoldItem> gold) {
        return measure(judge, gold, 1);
    }

    /**
     * As {@link #measure(RewardFunction, List)}, a group judge judging each item in a group of {@code groupSize} as a
     * run judges its probes ({@link ExperimentJudges#judge}); a pointwise judge judges each alone all the same.
     */
    public static JudgeAgreement measure(RewardFunction judge, List<GoldItem> gold, int groupSize) {
        Counts all = new Counts();
        Map<String, Counts> kinds = new LinkedHashMap<>();
        List<GoldItem> pointwise = gold.stream().filter(g -> !g.isPairwise()).toList();
        List<Verdict> verdicts = ExperimentJudges.judge(judge, pointwise.stream()
                .map(g -> JudgedItem.of(g.task(), g.answer(), g.reference())).toList(), groupSize, 0);
        for (int i = 0; i < pointwise.size(); i++) {
            GoldItem g = pointwise.get(i);
            Verdict v = verdicts.get(i);
            int label = g.label() >= 0.5 ? 1 : 0;
            all.add(label, v);
            kinds.computeIfAbsent(g.kind(), k -> new Counts()).add(label, v);
        }
        return new JudgeAgreement(judge.name(), all, kinds);
    }

    public String toText() {
        StringBuilder s = new StringBuilder("judge " + judge + "\n");
        s.append(String.format(Locale.ROOT, "%-18s %5s %9s %7s %7s %7s %8s%n", "kind", "items", "accuracy", "kappa", "FPR", "FNR", "abstain"));
        perKind.forEach((k, c) -> s.append(c.row(k)).append('\n'));
        s.append(overall.row("all")).append('\n');
        return s.toString();
    }

    public ObjectNode toJson(ObjectMapper m) {
        ObjectNode o = m.createObjectNode().put("judge", judge);
        o.set("overall", overall.json(m));
        ObjectNode k = o.putObject("per_kind");
        perKind.forEach((name, c) -> k.set(name, c.json(m)));
        return o;
    }
}
