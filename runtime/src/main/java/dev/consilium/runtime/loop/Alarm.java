package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reward-hacking alarm: a round whose judge agrees with the gold probes on less than {@code minProbeAgreement}
 * of them, or whose training reward and truth differ by more than {@code maxRewardGap}, is a round where the
 * policy may be learning to please the judge rather than to be right. The truth is the rollouts' answer check
 * where the round's tasks have references, else the probes' estimate. {@link Action#WARN} says so and goes on;
 * {@link Action#STOP} ends the run after the round, which is kept (its journals and checkpoint show what happened);
 * {@link Action#REFRESH} fine-tunes the judge after the round ({@link JudgeRefresh}) and goes on with the refreshed one.
 * A null threshold is not checked.
 */
public record Alarm(Double minProbeAgreement, Double maxRewardGap, Action action) {

    public enum Action { WARN, STOP, REFRESH }

    /** Probe agreement at least 0.9, reward within 0.2 of the truth; warn. */
    public static final Alarm DEFAULTS = new Alarm(0.9, 0.2, Action.WARN);

    public Alarm {
        if (minProbeAgreement != null && !(minProbeAgreement >= 0 && minProbeAgreement <= 1)) {
            throw new IllegalArgumentException("\"alarm.min_probe_agreement\" must be between 0 and 1, was " + minProbeAgreement);
        }
        if (maxRewardGap != null && !(maxRewardGap >= 0)) {
            throw new IllegalArgumentException("\"alarm.max_reward_gap\" must be >= 0, was " + maxRewardGap);
        }
        if (action == null) action = Action.WARN;
    }

    /** Why a round's metrics record raises the alarm, one reason each; empty when it does not. */
    List<String> reasons(JsonNode m) {
        List<String> out = new ArrayList<>();
        if (minProbeAgreement != null && m.has("probe_agreement") && m.get("probe_agreement").asDouble() < minProbeAgreement) {
            out.add(String.format(Locale.ROOT, "the judge agrees with only %.3f of %d gold probes (below %.3f)",
                    m.get("probe_agreement").asDouble(), m.path("probes").asInt(), minProbeAgreement));
        }
        String truth = m.has(RoundMetrics.TRUE_ACCURACY) ? RoundMetrics.TRUE_ACCURACY
                : m.has(RoundMetrics.ESTIMATED_ACCURACY) ? RoundMetrics.ESTIMATED_ACCURACY : null;
        if (maxRewardGap != null && truth != null && m.has("reward_mean")) {
            double reward = m.get("reward_mean").asDouble(), t = m.get(truth).asDouble();
            if (Math.abs(reward - t) > maxRewardGap) {
                out.add(String.format(Locale.ROOT, "the training reward %.3f is %.3f from the truth %.3f (%s; more than %.3f)",
                        reward, Math.abs(reward - t), t, truth.equals(RoundMetrics.TRUE_ACCURACY)
                                ? "the rollouts' answer check" : "estimated from the probes", maxRewardGap));
            }
        }
        return out;
    }
}
