package dev.consilium.rewards.judge;

import dev.consilium.rewards.verdict.Distribution;
import dev.consilium.rewards.verdict.Flag;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;

import java.util.Set;

/**
 * One judge asked {@code k} times (each sample a distinct request, so a response cache does not collapse them),
 * pooled by vote or mean. The share of samples agreeing with the most common score is the verdict's
 * {@link Verdict.Score#confidence()}.
 */
public final class SelfConsistency implements Judge {

    private final PointwiseJudge judge;
    private final int k;
    private final Pooling pooling;

    private SelfConsistency(PointwiseJudge judge, int k, Pooling pooling) {
        if (k < 2) throw new IllegalArgumentException("self-consistency needs k >= 2 samples, got " + k);
        this.judge = judge;
        this.k = k;
        this.pooling = pooling;
    }

    public static SelfConsistency of(PointwiseJudge judge, int k, Pooling pooling) {
        return new SelfConsistency(judge, k, pooling);
    }

    @Override
    public String name() {
        return judge.name() + " x" + k + " (" + pooling.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    @Override
    public Verdict evaluate(JudgedItem item) {
        return pooling.pool(judge.samples(item, 0, k), false, Distribution.Source.SAMPLES, Set.of(Flag.SAMPLED_ESTIMATE),
                name(), "");
    }
}
