package dev.consilium.moe.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Matmul at the model's shapes, (N, C, OC) = tokens, input channels, output channels: attention and MLP
 * projections, the LM head, a down projection, and one expert's share of the tokens. Run by hand (see
 * docs/BENCH-KERNELS.md); the thread count is the forked JVM's {@code -Dconsilium.threads}. {@link #main}
 * runs every benchmark at each thread count given, in 0.3 s iterations, and prints GFLOP/s (2*N*C*OC flops
 * per call): the mean with JMH's 99.9% error, and the best iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBenchmark {

    @Param({"2048x256x768", "2048x256x4096", "2048x768x256", "256x256x128"})
    public String shape;

    private int N, C, OC;
    private float[] inp, w, out, dout, dinp, dw;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        N = Integer.parseInt(p[0]);
        C = Integer.parseInt(p[1]);
        OC = Integer.parseInt(p[2]);
        Random r = new Random(42);
        inp = gaussian(r, N * C);
        w = gaussian(r, OC * C);
        dout = gaussian(r, N * OC);
        out = new float[N * OC];
        dinp = new float[N * C];
        dw = new float[OC * C];
    }

    @Benchmark
    public float[] forward() {
        Matmul.forward(out, 0, inp, 0, w, 0, N, C, OC);
        return out;
    }

    @Benchmark
    public float[] backwardInput() {
        Matmul.backwardInput(dinp, 0, dout, 0, w, 0, N, C, OC);
        return dinp;
    }

    @Benchmark
    public float[] backwardWeight() {
        Matmul.backwardWeight(dw, 0, dout, 0, inp, 0, N, C, OC);
        return dw;
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * 0.05);
        return a;
    }

    /** Arguments: thread counts (default 1 2) and optionally a pattern of benchmarks to run (default this class). */
    public static void main(String[] args) throws RunnerException {
        List<Integer> threads = new ArrayList<>();
        String include = MatmulBenchmark.class.getName();
        for (String a : args) {
            if (a.chars().allMatch(Character::isDigit)) threads.add(Integer.parseInt(a));
            else include = a;
        }
        if (threads.isEmpty()) threads = List.of(1, 2);
        List<String> rows = new ArrayList<>();
        for (int t : threads) {
            // Short iterations, best one reported: on a machine shared with other work this measures what
            // the kernel does when it has the cores, the same way bench/openblas_sgemm.py measures OpenBLAS.
            var options = new OptionsBuilder().include(include).jvmArgsAppend("-Dconsilium.threads=" + t)
                    .warmupIterations(5).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(5).measurementTime(TimeValue.milliseconds(300)).build();
            for (RunResult r : new Runner(options).run()) {
                String op = r.getParams().getBenchmark().replaceAll(".*\\.", "");
                String s = r.getParams().getParam("shape");
                String[] p = s.split("x");
                double flops = 2.0 * Long.parseLong(p[0]) * Long.parseLong(p[1]) * Long.parseLong(p[2]);
                var score = r.getPrimaryResult();
                rows.add(String.format("%-15s %-14s %7d %9.1f ± %-6.1f %8.1f", op, s, t,
                        score.getScore() * flops / 1e9, score.getScoreError() * flops / 1e9,
                        score.getStatistics().getMax() * flops / 1e9));
            }
        }
        // The best iteration is the one least disturbed by whatever else shares the machine.
        System.out.printf("%n%-15s %-14s %7s %18s %8s%n", "op", "N x C x OC", "threads", "GFLOP/s mean ± err", "best");
        rows.forEach(System.out::println);
    }
}
