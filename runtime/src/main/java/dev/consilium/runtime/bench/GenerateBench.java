package dev.consilium.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.checkpoint.DType;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.generate.DecodeSequence;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.generate.InferenceWeights;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.kernel.Bf16Weight;
import dev.consilium.moe.kernel.Fp8Weight;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.kernel.WeightMatrix;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.prefixcache.PrefixCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generation throughput in steady state. The Vector API runs slowly until C2 has compiled the kernels with
 * their profiles, which takes seconds of decoding, not one round: on `small` the first 128-token round
 * decodes at about a tenth of the steady rate and the rate settles after 15 to 25 rounds. So every mode is
 * warmed up for {@code --warmup-s} first, then the modes are measured in turns, round by round, so that a
 * slow spell on a shared machine lands on all of them and the speedup compares like with like.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generation throughput: batch-1 and batch-16 greedy decode, time to first token of a "
                + "1,000-token prompt, MTP self-speculation's acceptance and speedup, KV cache bytes per token."})
public final class GenerateBench implements Runnable {
    @Option(names = "--config", defaultValue = "small", description = "small, tiny or a config.json path, random weights (default: ${DEFAULT-VALUE}).")
    String config;
    @Option(names = "--model", description = {"A checkpoint directory instead of --config (MTP acceptance means something only on a trained model);",
            "its projections run in the precision they are stored in (consilium quantize makes BF16 and FP8 copies)."})
    Path model;
    @Option(names = "--tokens", defaultValue = "128", description = "Tokens decoded per sequence and round (default: ${DEFAULT-VALUE}).")
    int tokens;
    @Option(names = "--precision", defaultValue = "fp32", description = {"With --config: the projections in fp32, bf16 (half the bytes per decoded token)",
            "or fp8 (a quarter: e4m3 with 128x128 block scales, the LM head bf16) (default: ${DEFAULT-VALUE})."})
    String precision;
    @Option(names = "--warmup-s", defaultValue = "15", description = "Seconds of untimed decoding first, for the JIT (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;
    @Option(names = "--rounds", defaultValue = "7", description = "Timed rounds per mode; figures are their median (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Spec
    CommandSpec spec;

    /** A way of decoding: one generator, the prompts it decodes together each round. */
    private record Mode(Generator generator, List<int[]> prompts) {}

    /** One round of a mode: tokens decoded after the prefill step, the nanoseconds they took, MTP drafts made and kept. */
    private record Round(long tokens, long nanos, long drafted, long accepted) {
        double tokensPerSecond() {
            return tokens / (nanos / 1e9);
        }
    }

    @Override
    public void run() {
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1, not " + rounds);
        InferenceWeights weights;
        String stored;
        if (model != null) {
            var checkpoint = CheckpointWeights.load(model);
            weights = InferenceWeights.of(checkpoint);
            stored = precisionOf(checkpoint.projection("model.layers.0.self_attn.o_proj.weight"));
        } else {
            weights = InferenceWeights.of(new DeepSeekV3Model(ModelConfig.named(config), 1), dtype(precision));
            stored = precision;
        }
        ModelConfig c = weights.config();
        int n = Math.min(tokens, c.maxPositionEmbeddings() - 17);
        SplittableRandom rng = new SplittableRandom(7);
        int[] prompt = randomTokens(rng, 16, c.vocabSize());
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 16; i++) prompts.add(randomTokens(rng, 16, c.vocabSize()));
        Generator plain = Generator.builder().weights(weights).speculative(false).maxBatch(16).build();
        List<Mode> modes = new ArrayList<>(List.of(new Mode(plain, List.of(prompt)), new Mode(plain, prompts)));
        boolean mtp = c.numNextnPredictLayers() > 0;
        if (mtp) modes.add(new Mode(Generator.builder().weights(weights).speculative(true).build(), List.of(prompt)));

        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do for (Mode m : modes) decodeRound(m, n); while (System.nanoTime() < warmEnd);
        double[][] rates = new double[modes.size()][rounds];
        long drafted = 0, accepted = 0;
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < modes.size(); i++) {
                Round round = decodeRound(modes.get(i), n);
                rates[i][r] = round.tokensPerSecond();
                drafted += round.drafted();
                accepted += round.accepted();
            }
        }
        double batch1 = median(rates[0]), batch16 = median(rates[1]);

        int[] longPrompt = randomTokens(rng, Math.min(1000, c.maxPositionEmbeddings() - 1), c.vocabSize());
        PrefixCache cache = PrefixCache.builder().modelId("bench").rowWidth(c.numHiddenLayers() * (c.kvLoraRank() + c.qkRopeHeadDim()))
                .blockTokens(16).maxBytes(1L << 30).build();
        Generator cached = Generator.builder().weights(weights).speculative(false).prefixCache(cache).build();
        cached.generate(longPrompt, SamplingParams.greedy(1));
        double[] cold = new double[3], warm = new double[3];
        for (int i = 0; i < 3; i++) {
            cold[i] = firstTokenMs(plain, longPrompt);
            long t0 = System.nanoTime();
            cached.generate(longPrompt, SamplingParams.greedy(1));
            warm[i] = (System.nanoTime() - t0) / 1e6;
        }

        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("config", model != null ? model.toString() : config);
        o.put("decode_batch1_tokens_per_s", Math.round(batch1));
        o.put("decode_batch1_tokens_per_s_min", Math.round(Arrays.stream(rates[0]).min().orElseThrow()));
        o.put("decode_batch1_tokens_per_s_max", Math.round(Arrays.stream(rates[0]).max().orElseThrow()));
        o.put("decode_batch16_tokens_per_s", Math.round(batch16));
        o.put("ttft_cold_ms", BenchFigures.round(median(cold)));
        o.put("prompt_tokens", longPrompt.length);
        o.put("ttft_cached_ms", BenchFigures.round(median(warm)));
        if (mtp) {
            o.put("mtp_acceptance", BenchFigures.round(drafted == 0 ? 0 : (double) accepted / drafted));
            o.put("mtp_speedup", BenchFigures.round(median(rates[2]) / batch1));
        } else {
            o.putNull("mtp_acceptance");
            o.putNull("mtp_speedup");
        }
        int kv = c.kvLoraRank() + c.qkRopeHeadDim();
        o.put("kv_bytes_per_token", 4L * c.numHiddenLayers() * kv);
        o.put("kv_bytes_per_token_mha", 4L * c.numHiddenLayers() * c.numAttentionHeads()
                * (c.qkNopeHeadDim() + c.qkRopeHeadDim() + c.vHeadDim()));
        o.put("decode_tokens", n);
        o.put("rounds", rounds);
        o.put("warmup_s", warmupSeconds);
        o.put("precision", stored);
        o.put("weights_mb", weights.bytes() >> 20);
        o.put("threads", Parallel.threads());
        o.put("java", Runtime.version().toString());
        o.put("cpu", Machine.cpuName());
        spec.commandLine().getOut().println(o.toPrettyString());
    }

    /** Greedy decode of n tokens per prompt, the mode's prompts batched. */
    private static Round decodeRound(Mode mode, int n) {
        Generator g = mode.generator();
        List<DecodeSequence> seqs = new ArrayList<>();
        for (int[] p : mode.prompts()) seqs.add(g.add(p, SamplingParams.greedy(n), null));
        g.step();
        long t0 = System.nanoTime();
        while (g.step()) { }
        long nanos = System.nanoTime() - t0;
        long decoded = 0, drafted = 0, accepted = 0;
        for (DecodeSequence s : seqs) {
            decoded += s.completion().tokens().length - 1;
            drafted += s.completion().draftTokens();
            accepted += s.completion().acceptedDraftTokens();
        }
        return new Round(decoded, nanos, drafted, accepted);
    }

    /** Milliseconds from adding a prompt to its first token, with no prefix cache. */
    private static double firstTokenMs(Generator g, int[] prompt) {
        long t0 = System.nanoTime();
        DecodeSequence s = g.add(prompt, SamplingParams.greedy(1), null);
        g.step();
        double ms = (System.nanoTime() - t0) / 1e6;
        g.remove(s);
        return ms;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static DType dtype(String precision) {
        return switch (precision) {
            case "fp32" -> DType.F32;
            case "bf16" -> DType.BF16;
            case "fp8" -> DType.F8_E4M3;
            default -> throw new IllegalArgumentException("--precision is fp32, bf16 or fp8, not '" + precision + "'");
        };
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
