package dev.consilium.rewards.judge;

import dev.consilium.agents.provider.TokenLogprob;
import dev.consilium.rewards.parse.VerdictParser;
import dev.consilium.rewards.verdict.Distribution;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The G-Eval score: at the token where the judge wrote its score, the probability of every score token among
 * the alternatives the model reports, renormalized over the scale; the score is the expectation. This reads the
 * very token the parser accepted as the verdict, so the distribution is the judge's own.
 */
final class LogprobScore {
    private LogprobScore() {}

    /**
     * The distribution at the token spanning the verdict's value {@code [start, end)} of {@code text}, or null
     * when the tokens do not spell the text, or the value is split over several tokens (a "10" written as "1",
     * "0" has no single position whose alternatives are the scale).
     */
    static Distribution at(List<TokenLogprob> tokens, String text, int start, int end, Scale scale) {
        int at = 0;
        for (TokenLogprob t : tokens) {
            int next = at + t.text().length();
            if (next > text.length() || !text.startsWith(t.text(), at)) return null;
            if (at <= start && end <= next) return distribution(t, scale);
            if (next > start) return null;
            at = next;
        }
        return null;
    }

    private static Distribution distribution(TokenLogprob chosen, Scale scale) {
        TreeMap<Integer, Double> mass = new TreeMap<>();
        List<TokenLogprob> candidates = new ArrayList<>(chosen.top());
        if (candidates.stream().noneMatch(c -> c.text().equals(chosen.text()))) candidates.add(chosen);
        for (TokenLogprob c : candidates) {
            Integer v = VerdictParser.integerOf(c.text());
            if (v == null || v < scale.min() || v > scale.max()) continue;
            mass.merge(v, Math.exp(c.logprob()), Double::sum);
        }
        if (mass.isEmpty()) return null;
        double total = mass.values().stream().mapToDouble(Double::doubleValue).sum();
        List<Double> points = mass.keySet().stream().map(Integer::doubleValue).toList();
        List<Double> probabilities = mass.values().stream().map(p -> p / total).toList();
        return new Distribution(scale.min(), scale.max(), points, probabilities, Distribution.Source.LOGPROBS);
    }
}
