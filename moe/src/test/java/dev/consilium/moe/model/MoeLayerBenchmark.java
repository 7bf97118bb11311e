package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One MoE layer of a shipped config, forward and forward+backward, at the training batch the README's
 * throughput figures use (small: 8 x 256 tokens). Routing, grouping tokens by expert, the expert matmuls,
 * the shared expert and the slot reduction are all inside. Run by hand, as docs/BENCH-KERNELS.md says for
 * the matmul benchmarks: the score is layer calls per second; tokens/s = score x tokens.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector"})
public class MoeLayerBenchmark {

    @Param({"small", "tiny"})
    public String config;

    private MoeLayer moe;
    private final BackwardScratch scratch = new BackwardScratch();
    private float[] P, G, buffers, x, out, dout, dx;
    private int B, T;

    @Setup
    public void setup() {
        ModelConfig c = ModelConfig.named(config);
        B = "small".equals(config) ? 8 : 16;
        T = "small".equals(config) ? 256 : 64;
        FlatLayout layout = new FlatLayout(), bufferLayout = new FlatLayout();
        moe = new MoeLayer(layout, bufferLayout, "model.layers.1.mlp.", c);
        P = new float[layout.size()];
        G = new float[layout.size()];
        buffers = new float[bufferLayout.size()];
        layout.initialize(P, 1, DeepSeekV3Model.INIT_STD);
        int N = B * T, H = c.hiddenSize();
        moe.allocate(N);
        SplittableRandom r = new SplittableRandom(2);
        x = new float[N * H];
        dout = new float[N * H];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            dout[i] = (float) r.nextGaussian();
        }
        out = new float[N * H];
        dx = new float[N * H];
    }

    @Benchmark
    public float[] forward() {
        moe.forward(P, buffers, x, out, B, T, false);
        return out;
    }

    @Benchmark
    public float[] forwardBackward() {
        moe.forward(P, buffers, x, out, B, T, true);
        moe.backward(P, G, dout, x, dx, B, T, 0f, scratch);
        return dx;
    }
}
