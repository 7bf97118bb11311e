package dev.consilium.moe.model;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training throughput of the `small` config: forward + backward tokens per second at B = 8, T = 256.
 * Not a test (a benchmark would not fit the test budget); run it by hand:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp moe/target/classes:moe/target/test-classes:JACKSON_JARS \
 *        dev.consilium.moe.model.ModelThroughput [steps] [mtpDepth]
 * </pre>
 */
public final class ModelThroughput {
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int mtp = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int B = 8, T = 256, N = B * T;
        DeepSeekV3Model model = new DeepSeekV3Model(TestConfigs.small(mtp), 42);
        SplittableRandom r = new SplittableRandom(1);
        int V = model.config().vocabSize();
        int[] tokens = r.ints(N, 0, V).toArray(), targets = r.ints(N, 0, V).toArray();
        float[] weights = new float[N];
        java.util.Arrays.fill(weights, 1f);
        Batch batch = Batch.of(tokens, targets, weights, B, T);
        System.out.printf(Locale.ROOT, "params %.1fM, threads %d, mtp %d%n", model.parameterCount() / 1e6,
                dev.consilium.moe.kernel.Parallel.threads(), mtp);
        for (int i = 0; i < steps + 2; i++) {
            long t0 = System.nanoTime();
            ForwardPass f = model.forward(batch);
            long t1 = System.nanoTime();
            model.backward();
            long t2 = System.nanoTime();
            model.zeroGrads();
            model.updateRoutingBias(0.001f);
            Runtime rt = Runtime.getRuntime();
            System.out.printf(Locale.ROOT, "%s step %d: loss %.4f  forward %.0f ms  backward %.0f ms  %.0f tok/s"
                            + "  (heap in use %d MB)%n", i < 2 ? "warmup" : "      ", i, f.loss().total(),
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, N / ((t2 - t0) / 1e9), (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
    }
}
