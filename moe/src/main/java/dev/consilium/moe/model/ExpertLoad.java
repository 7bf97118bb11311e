package dev.consilium.moe.model;

import java.util.Arrays;

/**
 * Tokens routed to each expert of one MoE layer since the last routing-bias update.
 *
 * @param layer  the layer's HF prefix, e.g. {@code model.layers.3.mlp.}
 * @param counts (token, slot) assignments per expert
 */
public record ExpertLoad(String layer, long[] counts) {

    public ExpertLoad {
        counts = counts.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    public long total() {
        return Arrays.stream(counts).sum();
    }

    public double mean() {
        return (double) total() / counts.length;
    }

    /** max load / mean load: 1 is perfect balance, E means one expert takes everything; 0 before any token. */
    public double maxOverMean() {
        double mean = mean();
        return mean == 0 ? 0 : Arrays.stream(counts).max().orElse(0) / mean;
    }

    /** min load / mean load: 1 is perfect balance, 0 means some expert idles. */
    public double minOverMean() {
        double mean = mean();
        return mean == 0 ? 0 : Arrays.stream(counts).min().orElse(0) / mean;
    }
}
