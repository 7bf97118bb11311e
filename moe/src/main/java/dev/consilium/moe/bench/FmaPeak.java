package dev.consilium.moe.bench;

import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector FMA throughput the kernel pool gets right now: independent fused multiply-adds in registers,
 * no memory traffic, so no kernel can beat it. On a shared machine (a cloud VM, a CI runner) it moves with
 * what the neighbours run, by more than half between quiet and busy spells on the project's 2-core VM,
 * so benchmarks sample it beside their own figures to name the machine's state they were measured in.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: enough to cover the FMA latency times two pipes, few enough for registers. */
    private static final int CHAINS = 10;
    private static final long FLOPS_PER_ITERATION = 2L * CHAINS * S.length();
    /** Tasks per thread, so a thread that starts late or runs slowly hands work to the others. */
    private static final int TASKS_PER_THREAD = 8;
    /** About half a millisecond of one core each: long enough that handing tasks out costs next to nothing. */
    private static final long ITERATIONS_PER_TASK = 250_000;
    private static volatile float sink;
    private static volatile boolean compiled;

    private FmaPeak() {}

    /** GFLOP/s of all kernel threads together, measured over about {@code seconds}. */
    public static double gflops(double seconds) {
        if (!compiled) {
            // C2 must compile the loop with its vector intrinsics first; until then it runs boxed and slow.
            for (int i = 0; i < 40; i++) sink = chains(200_000);
            compiled = true;
        }
        int tasks = TASKS_PER_THREAD * Parallel.threads();
        long flops = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
        do {
            Parallel.forEach(tasks, 1, t -> sink = chains(ITERATIONS_PER_TASK));
            flops += tasks * ITERATIONS_PER_TASK * FLOPS_PER_ITERATION;
        } while (System.nanoTime() < end);
        return flops / (double) (System.nanoTime() - t0);
    }

    private static float chains(long iterations) {
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
        FloatVector a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
        FloatVector x = FloatVector.broadcast(S, 0.9999999f), y = FloatVector.broadcast(S, 1e-7f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9)
                .reduceLanes(VectorOperators.ADD);
    }
}
