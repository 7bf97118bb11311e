package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.bench.FmaPeak;
import dev.consilium.runtime.bench.BenchFigures;
import dev.consilium.runtime.bench.GenerateBench;
import dev.consilium.runtime.bench.Machine;
import dev.consilium.runtime.bench.ProductsBench;
import dev.consilium.runtime.bench.ServeBench;
import dev.consilium.runtime.bench.TrainShape;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.train.TokenDataset;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Benchmarks that print one JSON object, so figures can be compared across machines and commits. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput; each subcommand prints one JSON object.",
        subcommands = {BenchCommand.Train.class, ProductsBench.class, GenerateBench.class, ServeBench.class})
final class BenchCommand {

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Training throughput of the built-in model (AdamW, balancing on; MTP per --mtp-weight).")
    static final class Train implements Runnable {
        @Mixin
        TrainShape shape;
        @Option(names = "--mtp-weight", defaultValue = "0.3", description = "MTP loss weight; 0 skips the MTP modules, as reference code without MTP does (default: ${DEFAULT-VALUE}).")
        float mtpWeight;
        @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first, for the JIT (default: ${DEFAULT-VALUE}).")
        int warmup;
        @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default: ${DEFAULT-VALUE}).")
        int steps;
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, not " + steps);
            int B = shape.batch(), T = shape.seq();
            ModelConfig c = shape.modelConfig();
            DeepSeekV3Model model = new DeepSeekV3Model(c, 1);
            // Uniform random tokens: routing and attention cost the same as on text, and no file is needed.
            SplittableRandom rng = new SplittableRandom(7);
            int[] tokens = new int[B * T * 64 + 1];
            for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(c.vocabSize());
            TokenDataset data = TokenDataset.of(tokens);
            Trainer trainer = new Trainer(model, TrainOptions.builder().batchSize(B).seqLen(T)
                    .lossWeights(new LossWeights(mtpWeight, LossWeights.DEEPSEEK_V3.balance()))
                    .steps(warmup + steps).build());
            for (int i = 0; i < warmup; i++) trainer.step(data);
            double[] seconds = new double[steps], capacity = new double[steps];
            for (int i = 0; i < steps; i++) {
                seconds[i] = trainer.step(data).seconds();
                capacity[i] = FmaPeak.gflops(BenchFigures.CAPACITY_SAMPLE_S);
            }
            Arrays.sort(seconds);
            double median = seconds[steps / 2];

            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("config", shape.config);
            o.put("tokens_per_s", Math.round(B * T / median));
            o.put("step_s", BenchFigures.round(median));
            o.put("step_s_min", BenchFigures.round(seconds[0]));
            o.put("step_s_max", BenchFigures.round(seconds[steps - 1]));
            o.put("peak_heap_mb", BenchFigures.peakHeapMb());
            o.put("threads", Parallel.threads());
            BenchFigures.putCapacity(o, capacity);
            o.put("mtp_weight", mtpWeight);
            o.put("batch_size", B);
            o.put("seq_len", T);
            o.put("parameters", model.parameterCount());
            o.put("timed_steps", steps);
            o.put("java", Runtime.version().toString());
            o.put("cpu", Machine.cpuName());
            spec.commandLine().getOut().println(o.toPrettyString());
            spec.commandLine().getOut().flush();
        }
    }
}
