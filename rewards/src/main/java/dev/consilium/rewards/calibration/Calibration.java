package dev.consilium.rewards.calibration;

import dev.consilium.rewards.judge.PairwiseJudge;
import dev.consilium.rewards.verdict.Flag;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.rewards.function.RewardFunction;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a judge over a gold set and measures it: pointwise items through {@code pointwise}, pairwise items through
 * {@code pairwise} (skipped when null), and every {@link Probes} answer on the first {@code probeTasks} distinct
 * pointwise tasks.
 */
public final class Calibration {
    private Calibration() {}

    public static CalibrationReport run(RewardFunction pointwise, PairwiseJudge pairwise, List<GoldItem> gold,
                                        List<String> probes, int probeTasks) {
        Spent spent = new Spent();
        int judgments = 0, abstained = 0;

        List<double[]> scored = new ArrayList<>(); // {normalized score, label, length in kchars}
        Set<String> tasks = new LinkedHashSet<>();
        int pointwiseItems = 0;
        for (GoldItem g : gold) {
            if (g.isPairwise()) continue;
            pointwiseItems++;
            if (tasks.size() < probeTasks) tasks.add(g.task());
            Verdict v = pointwise.evaluate(new JudgedItem(g.task(), g.answer(), g.reference()));
            spent.add(v.provenance());
            judgments++;
            if (v instanceof Verdict.Score s) scored.add(new double[] {s.normalized(), g.label(), g.answer().length() / 1000.0});
            else abstained++;
        }

        int pairwiseItems = 0, pairsScored = 0, pairsRight = 0, flips = 0;
        if (pairwise != null) {
            for (GoldItem g : gold) {
                if (!g.isPairwise()) continue;
                pairwiseItems++;
                Verdict v = pairwise.compare(new JudgedItem(g.task(), g.answer(), g.reference()),
                        new JudgedItem(g.task(), g.answerB(), g.reference()));
                spent.add(v.provenance());
                judgments++;
                if (!(v instanceof Verdict.Score s)) {
                    abstained++;
                    continue;
                }
                pairsScored++;
                if (s.provenance().flags().contains(Flag.ORDER_FLIP)) flips++;
                if (s.value() != 0.5 && (s.value() > 0.5) == (g.label() > 0.5)) pairsRight++;
            }
        }

        int probeJudgments = 0, probePassed = 0;
        for (String task : tasks) {
            for (String probe : probes) {
                Verdict v = pointwise.evaluate(JudgedItem.of(task, probe));
                spent.add(v.provenance());
                judgments++;
                probeJudgments++;
                if (v instanceof Verdict.Score s && s.normalized() >= 0.5) probePassed++;
                else if (v instanceof Verdict.Abstain) abstained++;
            }
        }

        int n = scored.size();
        int[] decided = new int[n], labels = new int[n];
        double[] score = new double[n], label = new double[n], residual = new double[n], length = new double[n];
        int right = 0;
        for (int i = 0; i < n; i++) {
            double[] s = scored.get(i);
            decided[i] = s[0] >= 0.5 ? 1 : 0;
            labels[i] = s[1] >= 0.5 ? 1 : 0;
            if (decided[i] == labels[i]) right++;
            score[i] = s[0];
            label[i] = s[1];
            residual[i] = s[0] - s[1];
            length[i] = s[2];
        }
        return new CalibrationReport(pointwise.name(), pointwiseItems, pairwiseItems, probeJudgments,
                n == 0 ? Double.NaN : (double) right / n, Stats.cohensKappa(decided, labels), Stats.spearman(score, label),
                Stats.slope(length, residual),
                pairsScored == 0 ? Double.NaN : (double) pairsRight / pairsScored,
                pairsScored == 0 ? Double.NaN : 1 - (double) flips / pairsScored,
                probeJudgments == 0 ? Double.NaN : (double) probePassed / probeJudgments,
                judgments == 0 ? Double.NaN : (double) abstained / judgments,
                spent.in, spent.out, spent.usd);
    }

    /** Tokens and cost over every judgment (summed here rather than kept: provenance holds raw outputs). */
    private static final class Spent {
        long in, out;
        double usd;

        void add(Provenance p) {
            in += p.inputTokens();
            out += p.outputTokens();
            usd += p.costUsd();
        }
    }
}
