package dev.consilium.agents;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * How one run is bounded and observed. Every limit is off by default.
 *
 * @param runId         the run's id in its trajectory; a random UUID when null
 * @param deadline      wall time for the whole run; past it the run is cancelled and fails
 * @param maxModelCalls model calls the run may start; 0 for no limit
 * @param maxTokens     tokens (input and output) the run may spend; checked before each call; 0 for no limit
 * @param maxCostUsd    dollars the run may spend as the provider ledger prices them; checked before each call;
 *                      0 for no limit (without a ledger every call costs 0)
 * @param onPartial     receives the final agent's output as it streams, from the thread running that agent
 */
public record RunOptions(String runId, Duration deadline, int maxModelCalls, long maxTokens, double maxCostUsd,
                         Consumer<Partial> onPartial) {

    public static final RunOptions DEFAULT = builder().build();

    public RunOptions {
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
        if (maxModelCalls < 0) throw new IllegalArgumentException("maxModelCalls must be >= 0, got " + maxModelCalls);
        if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        if (!(maxCostUsd >= 0)) throw new IllegalArgumentException("maxCostUsd must be >= 0, got " + maxCostUsd);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().runId(runId).deadline(deadline).maxModelCalls(maxModelCalls).maxTokens(maxTokens)
                .maxCostUsd(maxCostUsd).onPartial(onPartial);
    }

    public static final class Builder {
        private String runId;
        private Duration deadline;
        private int maxModelCalls;
        private long maxTokens;
        private double maxCostUsd;
        private Consumer<Partial> onPartial;

        private Builder() {}

        public Builder runId(String runId) {
            this.runId = runId;
            return this;
        }

        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        public Builder maxModelCalls(int maxModelCalls) {
            this.maxModelCalls = maxModelCalls;
            return this;
        }

        public Builder maxTokens(long maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder maxCostUsd(double maxCostUsd) {
            this.maxCostUsd = maxCostUsd;
            return this;
        }

        public Builder onPartial(Consumer<Partial> onPartial) {
            this.onPartial = onPartial;
            return this;
        }

        public RunOptions build() {
            return new RunOptions(runId, deadline, maxModelCalls, maxTokens, maxCostUsd, onPartial);
        }
    }
}
