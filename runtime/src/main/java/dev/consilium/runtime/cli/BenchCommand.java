package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.checkpoint.DType;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.generate.InferenceWeights;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.generate.Sequence;
import dev.consilium.moe.kernel.Bf16Weight;
import dev.consilium.moe.kernel.Fp8Weight;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.kernel.WeightMatrix;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.prefixcache.PrefixCache;
import dev.consilium.moe.train.TokenDataset;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/** Benchmarks that print one JSON object, so figures can be compared across machines and commits. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput; each subcommand prints one JSON object.",
        subcommands = {BenchCommand.Train.class, BenchCommand.Generate.class, ServeBench.class})
final class BenchCommand {

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Training throughput of the built-in model (AdamW, balancing on; MTP per --mtp-weight).")
    static final class Train implements Runnable {
        @Option(names = "--config", defaultValue = "small", description = "small, tiny or a config.json path (default: ${DEFAULT-VALUE}).")
        String config;
        @Option(names = "--batch-size", description = "Sequences per step (default: 8 for small, 16 for tiny).")
        Integer batchSize;
        @Option(names = "--seq-len", description = "Tokens per sequence (default: 256 for small, 64 for tiny).")
        Integer seqLen;
        @Option(names = "--mtp-weight", defaultValue = "0.3", description = "MTP loss weight; 0 skips the MTP modules, as reference code without MTP does (default: ${DEFAULT-VALUE}).")
        float mtpWeight;
        @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first, for the JIT (default: ${DEFAULT-VALUE}).")
        int warmup;
        @Option(names = "--steps", defaultValue = "10", description = "Timed steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Override
        public void run() {
            boolean tiny = "tiny".equals(config);
            int B = batchSize != null ? batchSize : tiny ? 16 : 8;
            int T = seqLen != null ? seqLen : tiny ? 64 : 256;
            ModelConfig c = ModelConfig.named(config);
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
            double[] seconds = new double[steps];
            for (int i = 0; i < steps; i++) seconds[i] = trainer.step(data).seconds();
            Arrays.sort(seconds);
            double median = seconds[steps / 2];

            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("config", config);
            o.put("tokens_per_s", Math.round(B * T / median));
            o.put("step_s", round(median));
            o.put("step_s_min", round(seconds[0]));
            o.put("step_s_max", round(seconds[steps - 1]));
            o.put("peak_heap_mb", peakHeapMb());
            o.put("threads", Parallel.threads());
            o.put("mtp_weight", mtpWeight);
            o.put("batch_size", B);
            o.put("seq_len", T);
            o.put("parameters", model.parameterCount());
            o.put("timed_steps", steps);
            o.put("java", Runtime.version().toString());
            o.put("cpu", Machine.cpuName());
            System.out.println(o.toPrettyString());
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Generation throughput: batch-1 and batch-16 greedy decode, time to first token of a",
                    "1,000-token prompt, MTP self-speculation's acceptance and speedup, KV cache bytes per token."})
    static final class Generate implements Runnable {
        @Option(names = "--config", defaultValue = "small", description = "small, tiny or a config.json path, random weights (default: ${DEFAULT-VALUE}).")
        String config;
        @Option(names = "--model", description = {"A checkpoint directory instead of --config (MTP acceptance means something only on a trained model);",
                "its projections run in the precision they are stored in (consilium quantize makes BF16 and FP8 copies)."})
        Path model;
        @Option(names = "--tokens", defaultValue = "128", description = "Tokens decoded per sequence (default: ${DEFAULT-VALUE}).")
        int tokens;
        @Option(names = "--precision", defaultValue = "fp32", description = {"With --config: the projections in fp32, bf16 (half the bytes per decoded token)",
                "or fp8 (a quarter: e4m3 with 128x128 block scales, the LM head bf16) (default: ${DEFAULT-VALUE})."})
        String precision;

        @Override
        public void run() {
            InferenceWeights weights;
            String stored;
            if (model != null) {
                var checkpoint = dev.consilium.moe.checkpoint.InferenceWeights.load(model);
                weights = InferenceWeights.of(checkpoint);
                stored = precisionOf(checkpoint.projection("model.layers.0.self_attn.o_proj.weight"));
            } else {
                DType dtype = switch (precision) {
                    case "fp32" -> DType.F32;
                    case "bf16" -> DType.BF16;
                    case "fp8" -> DType.F8_E4M3;
                    default -> throw new IllegalArgumentException("--precision is fp32, bf16 or fp8, not '" + precision + "'");
                };
                weights = InferenceWeights.of(new DeepSeekV3Model(ModelConfig.named(config), 1), dtype);
                stored = precision;
            }
            ModelConfig c = weights.config();
            int n = Math.min(tokens, c.maxPositionEmbeddings() - 17);
            SplittableRandom rng = new SplittableRandom(7);
            int[] prompt = randomTokens(rng, 16, c.vocabSize());
            Generator plain = Generator.builder().weights(weights).speculative(false).maxBatch(16).build();
            double batch1 = steadyRate(plain, List.of(prompt), n)[0];
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 16; i++) prompts.add(randomTokens(rng, 16, c.vocabSize()));
            double batch16 = steadyRate(plain, prompts, n)[0];
            int[] longPrompt = randomTokens(rng, Math.min(1000, c.maxPositionEmbeddings() - 1), c.vocabSize());
            long t0 = System.nanoTime();
            plain.add(longPrompt, SamplingParams.greedy(1), null);
            plain.step();
            double ttft = (System.nanoTime() - t0) / 1e6;

            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("config", model != null ? model.toString() : config);
            o.put("decode_batch1_tokens_per_s", Math.round(batch1));
            o.put("decode_batch16_tokens_per_s", Math.round(batch16));
            o.put("ttft_cold_ms", round(ttft));
            o.put("prompt_tokens", longPrompt.length);
            PrefixCache cache = PrefixCache.builder().modelId("bench").rowWidth(c.numHiddenLayers() * (c.kvLoraRank() + c.qkRopeHeadDim()))
                    .blockTokens(16).maxBytes(1L << 30).build();
            Generator cached = Generator.builder().weights(weights).speculative(false).prefixCache(cache).build();
            cached.generate(longPrompt, SamplingParams.greedy(1));
            long t1 = System.nanoTime();
            cached.generate(longPrompt, SamplingParams.greedy(1));
            o.put("ttft_cached_ms", round((System.nanoTime() - t1) / 1e6));
            if (c.numNextnPredictLayers() > 0) {
                Generator spec = Generator.builder().weights(weights).speculative(true).build();
                double[] r = steadyRate(spec, List.of(prompt), n);
                o.put("mtp_acceptance", round(r[1]));
                o.put("mtp_speedup", round(r[0] / batch1));
            } else {
                o.putNull("mtp_acceptance");
                o.putNull("mtp_speedup");
            }
            int kv = c.kvLoraRank() + c.qkRopeHeadDim();
            o.put("kv_bytes_per_token", 4L * c.numHiddenLayers() * kv);
            o.put("kv_bytes_per_token_mha", 4L * c.numHiddenLayers() * c.numAttentionHeads()
                    * (c.qkNopeHeadDim() + c.qkRopeHeadDim() + c.vHeadDim()));
            o.put("decode_tokens", n);
            o.put("precision", stored);
            o.put("weights_mb", weights.bytes() >> 20);
            o.put("threads", Parallel.threads());
            o.put("java", Runtime.version().toString());
            o.put("cpu", Machine.cpuName());
            System.out.println(o.toPrettyString());
        }

        /**
         * {@link #decodeRate} in steady state: runs for two seconds first, so the kernels are compiled by C2 (the
         * Vector API is slow until they are; one run of 128 tokens is not enough), then the median of three.
         */
        private static double[] steadyRate(Generator g, List<int[]> prompts, int n) {
            long warm = System.nanoTime() + 2_000_000_000L;
            do decodeRate(g, prompts, n); while (System.nanoTime() < warm);
            double[][] runs = {decodeRate(g, prompts, n), decodeRate(g, prompts, n), decodeRate(g, prompts, n)};
            Arrays.sort(runs, Comparator.comparingDouble(r -> r[0]));
            return runs[1];
        }

        /**
         * Greedy decode of n tokens per prompt, all prompts batched: {tokens per second after the prefill step,
         * accepted / drafted MTP tokens}.
         */
        private static double[] decodeRate(Generator g, List<int[]> prompts, int n) {
            List<Sequence> seqs = new ArrayList<>();
            for (int[] p : prompts) seqs.add(g.add(p, SamplingParams.greedy(n), null));
            g.step();
            long t0 = System.nanoTime();
            while (g.step()) { }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long decoded = 0, drafted = 0, accepted = 0;
            for (Sequence s : seqs) {
                decoded += s.completion().tokens().length - 1;
                drafted += s.completion().draftTokens();
                accepted += s.completion().acceptedDraftTokens();
            }
            return new double[] {decoded / seconds, drafted == 0 ? 0 : (double) accepted / drafted};
        }

        private static String precisionOf(WeightMatrix w) {
            return w instanceof Fp8Weight ? "fp8" : w instanceof Bf16Weight ? "bf16" : "fp32";
        }

        private static int[] randomTokens(SplittableRandom rng, int n, int V) {
            int[] t = new int[n];
            for (int i = 0; i < n; i++) t[i] = rng.nextInt(V);
            return t;
        }
    }

    static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    static long peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        return peak >> 20;
    }
}
