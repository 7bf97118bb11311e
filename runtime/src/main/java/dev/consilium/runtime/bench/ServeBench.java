package dev.consilium.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.generate.InferenceWeights;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.runtime.server.OpenAiServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * {@code consilium bench serve}: the OpenAI-compatible server under 1, 8 and 32 concurrent streaming clients,
 * then the same load on a server that decodes one request at a time, for the gain of continuous batching.
 * The model has random weights and no tokenizer, so clients send token ids and ask for logprobs, which makes
 * every token a stream event (time to first token is then measurable).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serving throughput and latency over HTTP at 1, 8 and 32 concurrent clients, and the gain of "
                + "continuous batching over one request at a time; prints one JSON object."})
public final class ServeBench implements Runnable {
    @Option(names = "--config", defaultValue = "small", description = "small, tiny or a config.json path, random weights (default: ${DEFAULT-VALUE}).")
    String config;
    @Option(names = "--clients", split = ",", defaultValue = "1,8,32", description = "Concurrency levels (default: ${DEFAULT-VALUE}).")
    int[] clients;
    @Option(names = "--requests-per-client", defaultValue = "2", description = "Requests each client sends, one after another (default: ${DEFAULT-VALUE}).")
    int requestsPerClient;
    @Option(names = "--prompt-tokens", defaultValue = "16", description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;
    @Option(names = "--max-tokens", defaultValue = "64", description = "Tokens generated per request (default: ${DEFAULT-VALUE}).")
    int maxTokens;
    @Option(names = "--max-batch", defaultValue = "32", description = "The batched server's max batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;
    @Option(names = "--warmup-s", defaultValue = "15", description = "Seconds of untimed requests first, for the JIT (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;
    @Spec
    CommandSpec spec;

    /** One concurrency level's figures. */
    record Level(int clients, int requests, double seconds, long tokens, double[] latencyMs, double[] ttftMs) {
        ObjectNode json(ObjectMapper m) {
            ObjectNode o = m.createObjectNode();
            o.put("clients", clients);
            o.put("requests", requests);
            o.put("tokens_per_s", Math.round(tokens / seconds));
            o.put("requests_per_s", BenchFigures.round(requests / seconds));
            o.put("latency_ms_p50", Math.round(percentile(latencyMs, 0.50)));
            o.put("latency_ms_p95", Math.round(percentile(latencyMs, 0.95)));
            o.put("ttft_ms_p50", Math.round(percentile(ttftMs, 0.50)));
            o.put("ttft_ms_p95", Math.round(percentile(ttftMs, 0.95)));
            return o;
        }
    }

    @Override
    public void run() {
        ModelConfig c = ModelConfig.named(config);
        InferenceWeights weights = InferenceWeights.of(new DeepSeekV3Model(c, 1));
        int[] prompt = new int[Math.min(promptTokens, c.maxPositionEmbeddings() - maxTokens)];
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < prompt.length; i++) prompt[i] = rng.nextInt(c.vocabSize());
        int most = Arrays.stream(clients).max().orElseThrow();
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("config", config);
        ArrayNode levels = o.putArray("batched");
        Level batchedAtMost = null, serialAtMost;
        try (OpenAiServer server = start(weights, maxBatch, most)) {
            // The kernels take seconds of decoding to be compiled (see GenerateBench); batched shapes included.
            long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            do load(server, prompt, Math.min(8, most), 1); while (System.nanoTime() < warmEnd);
            for (int n : clients) {
                Level l = load(server, prompt, n, requestsPerClient);
                levels.add(l.json(m));
                if (n == most) batchedAtMost = l;
            }
        }
        try (OpenAiServer server = start(weights, 1, most)) {
            load(server, prompt, 2, 1);
            serialAtMost = load(server, prompt, most, requestsPerClient);
            o.set("one_at_a_time", serialAtMost.json(m));
        }
        o.put("batching_gain", BenchFigures.round((batchedAtMost.tokens() / batchedAtMost.seconds())
                / (serialAtMost.tokens() / serialAtMost.seconds())));
        o.put("max_batch", maxBatch);
        o.put("prompt_tokens", prompt.length);
        o.put("max_tokens", maxTokens);
        o.put("requests_per_client", requestsPerClient);
        o.put("threads", Parallel.threads());
        o.put("java", Runtime.version().toString());
        o.put("cpu", Machine.cpuName());
        spec.commandLine().getOut().println(o.toPrettyString());
    }

    private static OpenAiServer start(InferenceWeights weights, int maxBatch, int clients) {
        Generator g = Generator.builder().weights(weights).maxBatch(maxBatch).speculative(false).build();
        return OpenAiServer.builder().generator(g).modelName("bench").port(0).maxQueued(clients).start();
    }

    /** {@code clients} virtual threads, each streaming {@code requests} completions in turn. */
    private Level load(OpenAiServer server, int[] prompt, int clients, int requests) {
        String body = "{\"model\": \"bench\", \"prompt\": " + Arrays.toString(prompt) + ", \"max_tokens\": " + maxTokens
                + ", \"temperature\": 0, \"logprobs\": 0, \"stream\": true}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        double[] latency = new double[clients * requests], ttft = new double[clients * requests];
        long[] tokens = new long[clients];
        long t0 = System.nanoTime(), t1;
        // closed with the load, so a warm-up's idle connections do not pile up on the server
        try (HttpClient http = HttpClient.newHttpClient(); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int k = 0; k < clients; k++) {
                int client = k;
                running.add(pool.submit(() -> {
                    for (int r = 0; r < requests; r++) {
                        int at = client * requests + r;
                        long start = System.nanoTime();
                        tokens[client] += stream(http, request, start, ttft, at);
                        latency[at] = (System.nanoTime() - start) / 1e6;
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) f.get();
            t1 = System.nanoTime();
        } catch (Exception e) {
            throw new IllegalStateException("bench serve: a client failed: " + e.getMessage(), e);
        }
        double seconds = (t1 - t0) / 1e9;
        return new Level(clients, clients * requests, seconds, Arrays.stream(tokens).sum(), latency, ttft);
    }

    /** Streams one completion; records the time to its first token; returns the tokens received. */
    private static long stream(HttpClient http, HttpRequest request, long start, double[] ttft, int at) {
        try {
            HttpResponse<Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
            long n = 0;
            try (Stream<String> lines = r.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (!line.startsWith("data: {") || !line.contains("\"token_logprobs\"")) continue;
                    if (n++ == 0) ttft[at] = (System.nanoTime() - start) / 1e6;
                }
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static double percentile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[Math.max(0, (int) Math.ceil(q * v.length) - 1)];
    }
}
