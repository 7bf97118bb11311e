package dev.consilium.rewards.advantage;

import dev.consilium.rewards.verdict.Verdict;

import java.util.List;

/**
 * Advantages for one group of rollouts of the same task, from their verdicts' normalized scores. Abstentions are
 * masked: they take no part in the baseline and get advantage 0 with {@code mask[i] = false}, so the trainer
 * drops them instead of reading a fake reward. A group whose scored rewards are all equal (or that has fewer than
 * two) is {@code degenerate}: it carries no gradient and is reported rather than trained on.
 */
public record GroupAdvantages(double[] advantages, boolean[] mask, boolean degenerate) {

    private static final double EPS = 1e-6;

    public static GroupAdvantages of(List<Verdict> group, Normalization normalization) {
        int g = group.size();
        double[] r = new double[g];
        boolean[] mask = new boolean[g];
        int n = 0;
        double sum = 0;
        for (int i = 0; i < g; i++) {
            if (group.get(i) instanceof Verdict.Score s) {
                r[i] = s.normalized();
                mask[i] = true;
                sum += r[i];
                n++;
            }
        }
        double[] adv = new double[g];
        double mean = n == 0 ? 0 : sum / n;
        double var = 0;
        for (int i = 0; i < g; i++) if (mask[i]) var += (r[i] - mean) * (r[i] - mean);
        double std = n < 2 ? 0 : Math.sqrt(var / (n - 1));
        if (n < 2 || std < EPS) return new GroupAdvantages(adv, mask, true);
        for (int i = 0; i < g; i++) {
            if (!mask[i]) continue;
            adv[i] = switch (normalization) {
                case MEAN_STD -> (r[i] - mean) / std;
                case MEAN -> r[i] - mean;
                case LEAVE_ONE_OUT -> r[i] - (sum - r[i]) / (n - 1);
            };
        }
        return new GroupAdvantages(adv, mask, false);
    }

    /** How many rollouts were masked for abstaining. */
    public int masked() {
        int m = 0;
        for (boolean b : mask) if (!b) m++;
        return m;
    }
}
