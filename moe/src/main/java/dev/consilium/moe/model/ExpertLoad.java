package dev.consilium.moe.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

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

    /** The load of this and {@code other} together: the same layer over more steps. */
    public ExpertLoad plus(ExpertLoad other) {
        if (!layer.equals(other.layer) || counts.length != other.counts.length) {
            throw new IllegalArgumentException("cannot add the load of " + other.layer + " to " + layer);
        }
        long[] sum = counts.clone();
        for (int e = 0; e < sum.length; e++) sum[e] += other.counts[e];
        return new ExpertLoad(layer, sum);
    }

    /** Per layer, {@code a[i].plus(b[i])}; an empty {@code a} starts the sum. */
    public static List<ExpertLoad> sum(List<ExpertLoad> a, List<ExpertLoad> b) {
        if (a.isEmpty()) return b;
        List<ExpertLoad> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) out.add(a.get(i).plus(b.get(i)));
        return List.copyOf(out);
    }

    /** Each layer's max/mean load to two decimals, space-separated: "1.04 1.01 1.02". */
    public static String summary(List<ExpertLoad> loads) {
        StringBuilder sb = new StringBuilder();
        for (ExpertLoad l : loads) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(String.format(Locale.ROOT, "%.2f", l.maxOverMean()));
        }
        return sb.toString();
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
}
