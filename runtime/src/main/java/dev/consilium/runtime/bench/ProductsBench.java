package dev.consilium.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.bench.FmaPeak;
import dev.consilium.moe.kernel.Matmul;
import dev.consilium.moe.kernel.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The matrix products of one training step, alone: every linear layer's forward and its two backward
 * products at the shapes `bench train` runs them (MTP off), nothing else. A step cannot be faster than its
 * products, so this bounds the training figure and compares the kernels with a BLAS on the very same list
 * (bench/openblas_train_step.py reads it from this command's JSON).
 * <p>
 * Each call is timed on its own, in rounds that visit every product in turn, so a slow spell on a shared
 * machine lands on all of them. The best call of each product gives what the kernels can do; the median,
 * what a step meets on this machine as it is.
 */
@Command(name = "products", mixinStandardHelpOptions = true,
        description = {"The matrix products of one training step alone: each linear layer's forward and two "
                + "backward products, MTP off.",
                "Prints seconds per step by the best and by the median call of each, and the product list."})
public final class ProductsBench implements Runnable {
    @Mixin
    TrainShape shape;
    @Option(names = "--warmup-s", defaultValue = "5", description = "Seconds of untimed rounds first, for the JIT (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;
    @Option(names = "--rounds", defaultValue = "40", description = "Timed rounds; every product is called once per direction in each (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Spec
    CommandSpec spec;

    /** A linear layer (N tokens, C inputs, OC outputs), run {@code count} times per step. */
    public record Product(String name, int n, int c, int oc, int count) {
        double flops() {
            return 3 * 2.0 * n * c * oc * count;
        }
    }

    /** Every linear layer of a training step without MTP, fused as the model runs them. */
    public static List<Product> step(ModelConfig c, int tokens) {
        int H = c.hiddenSize(), nh = c.numAttentionHeads(), D = c.qkHeadDim(), L = c.numHiddenLayers();
        int kvA = c.kvLoraRank() + c.qkRopeHeadDim();
        List<Product> list = new ArrayList<>();
        if (c.qLoraRank() != null) {
            list.add(new Product("q_a+kv_a", tokens, H, c.qLoraRank() + kvA, L));
            list.add(new Product("q_b", tokens, c.qLoraRank(), nh * D, L));
        } else {
            list.add(new Product("q+kv_a", tokens, H, nh * D + kvA, L));
        }
        list.add(new Product("kv_b", tokens, c.kvLoraRank(), nh * (c.qkNopeHeadDim() + c.vHeadDim()), L));
        list.add(new Product("o", tokens, nh * c.vHeadDim(), H, L));
        int dense = c.firstKDenseReplace(), moe = L - dense;
        if (dense > 0) {
            list.add(new Product("dense_gate+up", tokens, H, 2 * c.intermediateSize(), dense));
            list.add(new Product("dense_down", tokens, c.intermediateSize(), H, dense));
        }
        if (moe > 0) {
            int E = c.nRoutedExperts(), I = c.moeIntermediateSize();
            // balanced routing: each expert gets its share of the token-expert pairs
            int perExpert = Math.max(1, tokens * c.numExpertsPerTok() / E);
            list.add(new Product("router", tokens, H, E, moe));
            if (c.nSharedExperts() > 0) {
                int S = c.nSharedExperts() * I;
                list.add(new Product("shared_gate+up", tokens, H, 2 * S, moe));
                list.add(new Product("shared_down", tokens, S, H, moe));
            }
            list.add(new Product("expert_gate+up", perExpert, H, 2 * I, moe * E));
            list.add(new Product("expert_down", perExpert, I, H, moe * E));
        }
        list.add(new Product("lm_head", tokens, H, c.vocabSize(), 1));
        return list;
    }

    @Override
    public void run() {
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1, not " + rounds);
        int B = shape.batch(), T = shape.seq();
        List<Product> products = step(shape.modelConfig(), B * T);
        Operands[] ops = new Operands[products.size()];
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < ops.length; i++) ops[i] = new Operands(products.get(i), rng);

        long[][][] nanos = new long[ops.length][3][rounds];
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < warmupEnd) for (int i = 0; i < ops.length; i++) ops[i].time(nanos[i], 0);
        double[] capacity = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < ops.length; i++) ops[i].time(nanos[i], r);
            capacity[r] = FmaPeak.gflops(BenchFigures.CAPACITY_SAMPLE_S);
        }

        double best = 0, median = 0, flops = 0;
        Map<String, Double> byOpBest = new LinkedHashMap<>(), byOpMedian = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        ArrayNode shapes = json.createArrayNode();
        for (int i = 0; i < ops.length; i++) {
            Product p = products.get(i);
            double pb = 0, pm = 0;
            for (int d = 0; d < 3; d++) {
                long[] t = nanos[i][d].clone();
                Arrays.sort(t);
                pb += t[0] / 1e9;
                pm += t[rounds / 2] / 1e9;
            }
            best += p.count() * pb;
            median += p.count() * pm;
            flops += p.flops();
            byOpMedian.put(p.name(), BenchFigures.round(p.count() * pm));
            byOpBest.put(p.name(), BenchFigures.round(p.count() * pb));
            shapes.addObject().put("name", p.name()).put("n", p.n()).put("c", p.c()).put("oc", p.oc()).put("count", p.count());
        }
        int tokens = B * T;
        ObjectNode o = json.createObjectNode();
        o.put("config", shape.config);
        o.put("tokens_per_step", tokens);
        o.put("products_gflop_per_step", Math.round(flops / 1e7) / 100.0);
        o.put("products_s_per_step", BenchFigures.round(best));
        o.put("products_s_per_step_median", BenchFigures.round(median));
        o.put("gflop_per_s", Math.round(flops / best / 1e8) / 10.0);
        o.put("gflop_per_s_median", Math.round(flops / median / 1e8) / 10.0);
        o.put("tokens_per_s_if_nothing_else_cost", Math.round(tokens / best));
        o.put("tokens_per_s_if_nothing_else_cost_median", Math.round(tokens / median));
        o.putPOJO("seconds_by_op_best", byOpBest);
        o.putPOJO("seconds_by_op_median", byOpMedian);
        o.put("rounds", rounds);
        o.put("threads", Parallel.threads());
        BenchFigures.putCapacity(o, capacity);
        o.put("java", Runtime.version().toString());
        o.put("cpu", Machine.cpuName());
        o.set("products", shapes);
        spec.commandLine().getOut().println(o.toPrettyString());
        spec.commandLine().getOut().flush();
    }

    /** One product's arrays, as the model passes them: inp (n, c), w (oc, c), out and dout (n, oc). */
    private static final class Operands {
        final Product p;
        final float[] inp, w, out, dout, dinp, dw;

        Operands(Product p, SplittableRandom rng) {
            this.p = p;
            inp = uniform(rng, p.n() * p.c());
            w = uniform(rng, p.oc() * p.c());
            dout = uniform(rng, p.n() * p.oc());
            out = new float[p.n() * p.oc()];
            dinp = new float[p.n() * p.c()];
            dw = new float[p.oc() * p.c()];
        }

        /** Times one call each of forward, backward input and backward weight into nanos[0..2][round]. */
        void time(long[][] nanos, int round) {
            long t0 = System.nanoTime();
            Matmul.forward(out, 0, inp, 0, w, 0, p.n(), p.c(), p.oc());
            long t1 = System.nanoTime();
            Matmul.backwardInput(dinp, 0, dout, 0, w, 0, p.n(), p.c(), p.oc());
            long t2 = System.nanoTime();
            Matmul.backwardWeight(dw, 0, dout, 0, inp, 0, p.n(), p.c(), p.oc());
            long t3 = System.nanoTime();
            nanos[0][round] = t1 - t0;
            nanos[1][round] = t2 - t1;
            nanos[2][round] = t3 - t2;
        }

        private static float[] uniform(SplittableRandom rng, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
            return a;
        }
    }
}
