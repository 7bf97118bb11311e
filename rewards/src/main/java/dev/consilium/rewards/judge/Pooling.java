package dev.consilium.rewards.judge;

import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Distribution;
import dev.consilium.rewards.verdict.Flag;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * How several verdicts on one item become one: the most common value ({@code VOTE}; a tie goes to the lower
 * value, the cautious side) or the mean ({@code MEAN}). Abstentions are left out and counted in the rationale;
 * when all abstain, the result abstains. The pooled distribution is the frequency of each value, so its
 * {@link Distribution#agreement()} is the share that agree with the most common one.
 */
public enum Pooling {
    VOTE, MEAN;

    /**
     * @param normalize pool on [0, 1] (a panel of judges on different scales) instead of the shared scale
     */
    Verdict pool(List<Verdict> verdicts, boolean normalize, Distribution.Source source, Set<Flag> flags,
                 String judge, String prompt) {
        List<Provenance> parts = new ArrayList<>();
        TreeMap<Double, Integer> counts = new TreeMap<>();
        List<String> abstained = new ArrayList<>();
        double sum = 0, min = 0, max = 1;
        for (Verdict v : verdicts) {
            parts.add(v.provenance());
            switch (v) {
                case Verdict.Abstain a -> abstained.add(a.reason() + ": " + a.detail());
                case Verdict.Score s -> {
                    double x = normalize ? s.normalized() : s.value();
                    if (!normalize) {
                        min = s.distribution().min();
                        max = s.distribution().max();
                    }
                    counts.merge(x, 1, Integer::sum);
                    sum += x;
                }
            }
        }
        Provenance provenance = Provenance.combine(judge, prompt, parts).withFlags(flags);
        int n = verdicts.size(), scored = n - abstained.size();
        if (scored == 0) {
            return new Verdict.Abstain(AbstainReason.ALL_ABSTAINED, "all " + n + " abstained: " + String.join("; ", abstained), provenance);
        }
        List<Double> points = new ArrayList<>(counts.keySet());
        List<Double> probabilities = counts.values().stream().map(c -> (double) c / scored).toList();
        Distribution d = new Distribution(min, max, points, probabilities, source);
        double value = this == MEAN ? sum / scored : d.mode();
        String why = scored + " of " + n + " scored " + counts + (abstained.isEmpty() ? "" : ", " + abstained.size() + " abstained");
        return new Verdict.Score(Math.clamp(value, min, max), d, why, provenance);
    }
}
