package dev.consilium.rewards.judge;

import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.TokenLogprob;
import dev.consilium.rewards.parse.VerdictParser;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Distribution;
import dev.consilium.rewards.verdict.Verdict;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The G-Eval score: at the token where the judge wrote its score, the probability of every score token among
 * the alternatives the model reports; the score is the expectation over the scale. This reads the very token the
 * parser accepted as the verdict, so the distribution is the judge's own.
 *
 * <p>The probabilities are kept as the model gave them, not renormalized: their sum is the mass the judge put on
 * the scale at all ({@link Distribution#mass()}), and the largest is its real confidence. A judge that wrote "4"
 * with 2% probability, its other 98% on tokens that are no score, has not given a confident 4; the judge
 * abstains below its floor. Alternatives that are no probability (NaN, positive) are skipped one by one: a
 * server's glitch in the fifth alternative does not void the first four.
 */
final class LogprobScore {
    private LogprobScore() {}

    /** Alternatives per token asked for by default: what the built-in model reports unasked. */
    static final int DEFAULT_TOP_LOGPROBS = 5;
    /** Half: the score token must be the judge's main reading of the position, not a side bet. */
    static final double DEFAULT_MIN_SCALE_PROBABILITY = 0.5;

    /** Log-softmax in float can put log(1) a hair above 0; anything above this is not a log-probability. */
    static final double POSITIVE_TOLERANCE = 1e-6;
    /** Summed alternatives above this are no distribution (repeated or corrupt entries): not read. */
    private static final double MASS_TOLERANCE = 1e-3;

    /**
     * The distribution at the token spanning the verdict's value {@code [start, end)} of {@code text}, or null
     * when the tokens do not spell the text, the value is split over several tokens (a "10" written as "1",
     * "0" has no single position whose alternatives are the scale), or no valid alternative is on the scale.
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

    /**
     * The verdict for a parsed score: the G-Eval score at its token, a point score when the reply has no logprobs
     * there (a caller may then sample), or an abstention when the judge put less than {@code floor} of its
     * probability on the scale: its written score is then a long shot, not its judgment.
     */
    static Verdict verdict(JudgeModel.Reply reply, VerdictParser.Parsed p, Scale scale, double floor) {
        Distribution d = p.start() < 0 ? null : at(LogprobsMetadata.of(reply.response()), reply.text(), p.start(), p.end(), scale);
        if (d == null) return Verdict.Score.point(p.values().getFirst(), scale.min(), scale.max(), p.rationale(), reply.provenance());
        if (d.mass() < floor) {
            return new Verdict.Abstain(AbstainReason.AMBIGUOUS, String.format(java.util.Locale.ROOT,
                    "the judge wrote %d but put only %.3f of its probability on the scale [%d, %d] (floor %.2f)",
                    p.values().getFirst(), d.mass(), scale.min(), scale.max(), floor), reply.provenance());
        }
        return new Verdict.Score(Math.clamp(d.mean(), scale.min(), scale.max()), d, p.rationale(), reply.provenance());
    }

    static int checkTopLogprobs(int k) {
        if (k < 1 || k > 20) throw new IllegalArgumentException("topLogprobs must be 1..20 (OpenAI's limit), got " + k);
        return k;
    }

    static double checkFloor(double floor) {
        if (!(floor >= 0 && floor <= 1)) throw new IllegalArgumentException("minScaleProbability must be in [0, 1], got " + floor);
        return floor;
    }

    /** The probability a logprob stands for, or NaN when it is none. */
    static double probability(double logprob) {
        if (Double.isNaN(logprob) || logprob > POSITIVE_TOLERANCE) return Double.NaN;
        return Math.exp(Math.min(logprob, 0));
    }

    private static Distribution distribution(TokenLogprob chosen, Scale scale) {
        TreeMap<Integer, Double> mass = new TreeMap<>();
        List<TokenLogprob> candidates = new ArrayList<>(chosen.top());
        if (candidates.stream().noneMatch(c -> c.text().equals(chosen.text()))) candidates.add(chosen);
        Set<String> seen = new HashSet<>();
        for (TokenLogprob c : candidates) {
            double p = probability(c.logprob());
            if (Double.isNaN(p) || p == 0 || !seen.add(c.text())) continue;
            Integer v = VerdictParser.integerOf(c.text());
            if (v == null || v < scale.min() || v > scale.max()) continue;
            mass.merge(v, p, Double::sum);
        }
        double total = mass.values().stream().mapToDouble(Double::doubleValue).sum();
        if (mass.isEmpty() || total > 1 + MASS_TOLERANCE) return null;
        List<Double> points = mass.keySet().stream().map(Integer::doubleValue).toList();
        List<Double> probabilities = List.copyOf(mass.values());
        return new Distribution(scale.min(), scale.max(), points, probabilities, Distribution.Source.LOGPROBS);
    }
}
