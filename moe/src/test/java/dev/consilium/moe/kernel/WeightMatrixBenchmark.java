package dev.consilium.moe.kernel;

import dev.consilium.moe.checkpoint.FloatFormats;
import java.util.Arrays;
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
 * One weight in the three precisions a checkpoint may store it in: fp32 ({@link Matmul.PackedWeight}),
 * {@link Bf16Weight} and {@link Fp8Weight}. One token is the decoding case, memory bound once the matrix
 * outgrows the caches (2048x2048 is 16 MiB in fp32, 4096x4096 64 MiB), where fewer bytes should mean faster;
 * 1000 tokens is prefill. Run through {@link MatmulBenchmark#main} with this class's name as the pattern,
 * which prints GFLOP/s (2*N*C*OC flops per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector"})
public class WeightMatrixBenchmark {

    @Param({"1x256x768", "1x2048x2048", "1x4096x4096", "1000x1024x1024"})
    public String shape;

    private int N;
    private float[] inp, out;
    private WeightMatrix fp32, bf16, fp8;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        N = Integer.parseInt(p[0]);
        int C = Integer.parseInt(p[1]), OC = Integer.parseInt(p[2]);
        Random r = new Random(42);
        inp = new float[N * C];
        for (int i = 0; i < inp.length; i++) inp[i] = (float) r.nextGaussian();
        out = new float[N * OC];
        float[] w = new float[OC * C];
        short[] bits = new short[OC * C];
        byte[] codes = new byte[OC * C];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.05);
            bits[i] = FloatFormats.floatToBf16(w[i]);
            codes[i] = (byte) r.nextInt(0x7F); // any finite e4m3 magnitude; a random sign below
            if (r.nextBoolean()) codes[i] |= (byte) 0x80;
        }
        float[] scales = new float[((OC + 127) / 128) * ((C + 127) / 128)];
        Arrays.fill(scales, 1e-3f);
        fp32 = Matmul.pack(w, 0, C, OC);
        bf16 = Bf16Weight.pack(bits, 0, C, OC);
        fp8 = Fp8Weight.pack(codes, 0, scales, 0, C, OC);
    }

    @Benchmark
    public float[] fp32() {
        fp32.forward(out, 0, inp, 0, N);
        return out;
    }

    @Benchmark
    public float[] bf16() {
        bf16.forward(out, 0, inp, 0, N);
        return out;
    }

    @Benchmark
    public float[] fp8() {
        fp8.forward(out, 0, inp, 0, N);
        return out;
    }
}
