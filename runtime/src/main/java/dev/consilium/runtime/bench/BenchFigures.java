package dev.consilium.runtime.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.bench.FmaPeak;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;

/** What every benchmark's JSON object reports alike: rounded seconds, peak heap, the machine's FMA capacity. */
public final class BenchFigures {
    private BenchFigures() {}

    /** Seconds of each FMA sample a bench takes between its timed calls: short, so it barely adds to a run. */
    public static final double CAPACITY_SAMPLE_S = 0.05;

    /**
     * The machine's FMA throughput sampled through the run (see {@link FmaPeak}): on a shared VM a figure
     * means little without it, as the same code runs at the pace the neighbours leave it.
     */
    public static void putCapacity(ObjectNode o, double[] gflops) {
        double[] s = gflops.clone();
        Arrays.sort(s);
        o.put("fma_gflops_median", Math.round(s[s.length / 2]));
        o.put("fma_gflops_min", Math.round(s[0]));
        o.put("fma_gflops_max", Math.round(s[s.length - 1]));
    }

    public static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    public static long peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        return peak >> 20;
    }
}
