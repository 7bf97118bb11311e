package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.prefixcache.CheckpointIdentity;
import dev.consilium.moe.prefixcache.PrefixCache;
import dev.consilium.runtime.server.OpenAiServer;
import dev.consilium.runtime.server.ServerLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Serves a checkpoint over the OpenAI wire format until interrupted; Ctrl-C shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a built-in model checkpoint over the OpenAI API (/v1/chat/completions, /v1/completions, "
                + "/v1/models, /health).",
                "Any OpenAI client can use it: base URL http://HOST:PORT/v1."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Checkpoint directory (config.json, model.safetensors, tokenizer.json).")
    Path model;
    @Option(names = "--model-name", description = "The id clients send as \"model\" (default: the directory's name).")
    String modelName;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on; loopback unless told otherwise (default: ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--port", defaultValue = "8000", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--api-key-env", description = "Require 'Authorization: Bearer KEY', KEY read from this environment variable.")
    String apiKeyEnv;
    @Option(names = "--max-batch", defaultValue = "16", description = "Sequences decoded together (default: ${DEFAULT-VALUE}).")
    int maxBatch;
    @Option(names = "--max-queued", defaultValue = "64", description = "Requests waiting for a slot before 429s (default: ${DEFAULT-VALUE}).")
    int maxQueued;
    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Largest request body; larger is 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyBytes;
    @Option(names = "--max-tokens", description = "New tokens per choice at most (default: what the context leaves).")
    Integer maxTokens;
    @Option(names = "--max-n", defaultValue = "8", description = "Choices per request at most (default: ${DEFAULT-VALUE}).")
    int maxN;
    @Option(names = "--json-attempts", defaultValue = "3", description = "Generations per choice while JSON mode output fails its check (default: ${DEFAULT-VALUE}).")
    int jsonAttempts;
    @Option(names = "--prefix-cache-mb", defaultValue = "256", description = "Memory for reused prompt prefixes; 0 turns the cache off (default: ${DEFAULT-VALUE}).")
    long prefixCacheMb;
    @Option(names = "--speculative", description = {"Draft tokens with the MTP modules and verify them (self-speculative decoding);",
            "on a CPU it is slower at batch 1 (see README's benchmarks)."})
    boolean speculative;
    @Option(names = "--shutdown-grace", defaultValue = "30", description = "Seconds in-flight requests get to finish on shutdown (default: ${DEFAULT-VALUE}).")
    int shutdownGrace;

    @Override
    public Integer call() throws InterruptedException {
        String apiKey = null;
        if (apiKeyEnv != null) {
            apiKey = System.getenv(apiKeyEnv);
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalArgumentException("--api-key-env " + apiKeyEnv + ": the environment variable is not set");
            }
        }
        // the projections stay in the checkpoint's precision: a BF16 or FP8 copy is served from its own bytes
        CheckpointWeights ckpt = CheckpointWeights.load(model);
        ModelConfig c = ckpt.config();
        Generator.Builder generator = Generator.builder().weights(dev.consilium.moe.generate.InferenceWeights.of(ckpt))
                .tokenizer(ckpt.tokenizer()).maxBatch(maxBatch).speculative(speculative);
        if (prefixCacheMb > 0) {
            generator.prefixCache(PrefixCache.builder().modelId(CheckpointIdentity.of(model))
                    .rowWidth(c.numHiddenLayers() * (c.kvLoraRank() + c.qkRopeHeadDim())).maxBytes(prefixCacheMb << 20).build());
        }
        String name = modelName != null ? modelName : model.toAbsolutePath().normalize().getFileName().toString();
        OpenAiServer server = OpenAiServer.builder().generator(generator.build()).modelName(name).host(host).port(port)
                .apiKey(apiKey).maxQueued(maxQueued).shutdownGrace(Duration.ofSeconds(shutdownGrace))
                .limits(new ServerLimits(maxBodyBytes, maxTokens, maxN, jsonAttempts)).start();
        var out = spec.commandLine().getOut();
        out.println("Serving " + name + " at " + server.baseUrl() + "/v1 (max batch " + maxBatch + ", queue " + maxQueued
                + (ckpt.tokenizer() == null ? "; no tokenizer: /v1/completions with token ids only" : "") + "). Ctrl-C stops.");
        if (apiKey == null && !loopback(host)) {
            out.println("Warning: listening on " + host + " without --api-key-env: anyone who can reach it can use it.");
        }
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "consilium-serve-shutdown"));
        stopped.await();
        return 0;
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
