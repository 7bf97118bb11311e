package dev.consilium.moe.kernel;

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

/**
 * Forward with a handful of tokens, as in generation: packing w on every call against a weight packed
 * once ({@link Matmul#pack}). Run through {@link MatmulBenchmark#main} with this class's name as the
 * pattern, which prints GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulDecodeBenchmark {

    @Param({"1x256x768", "4x256x768", "16x256x768", "1x256x4096"})
    public String shape;

    private int N;
    private float[] inp, w, out;
    private int C, OC;
    private Matmul.PackedWeight packed;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        N = Integer.parseInt(p[0]);
        C = Integer.parseInt(p[1]);
        OC = Integer.parseInt(p[2]);
        Random r = new Random(42);
        inp = new float[N * C];
        w = new float[OC * C];
        for (int i = 0; i < inp.length; i++) inp[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * 0.05);
        out = new float[N * OC];
        packed = Matmul.pack(w, 0, C, OC);
    }

    @Benchmark
    public float[] forward() {
        Matmul.forward(out, 0, inp, 0, w, 0, N, C, OC);
        return out;
    }

    @Benchmark
    public float[] forwardPacked() {
        Matmul.forward(out, 0, inp, 0, packed, N);
        return out;
    }
}
