package dev.consilium.agents.provider.bench;

import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.CanonicalRequest;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One hit in a response cache of {@code entries} stored responses, at a random key each time (so the file
 * system's cache, not one hot file, is measured): the lookup alone, and the content address it needs.
 * Filling 100k entries takes a while before the first iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheLookupBenchmark {

    @Param("100000")
    public int entries;

    private static final Supplier<ChatResponse> NEVER = () -> {
        throw new IllegalStateException("every lookup here is a hit");
    };

    private final OpenAiChatRequestParameters parameters =
            OpenAiChatRequestParameters.builder().modelName("gpt-4o-mini").temperature(0.7).seed(7).maxOutputTokens(64).build();
    private final SplittableRandom random = new SplittableRandom(42);
    private Path dir;
    private ResponseCache cache;
    private CanonicalRequest[] stored;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory("consilium-bench-lookup");
        cache = ResponseCache.open(dir, CacheMode.READ_WRITE);
        stored = new CanonicalRequest[entries];
        for (int i = 0; i < entries; i++) {
            stored[i] = CanonicalRequest.of("openai/gpt-4o-mini", parameters, messages(i));
            cache.getOrCall(stored[i], () -> ProviderStackBenchmark.ANSWER);
        }
    }

    private static List<ChatMessage> messages(int i) {
        return List.of(SystemMessage.from("Answer with the number only."), UserMessage.from("What is " + i + " + 25?"));
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        ProviderStackBenchmark.deleteTree(dir);
    }

    /** Read and parse one stored entry, its key already known. */
    @Benchmark
    public ChatResponse lookup() {
        return cache.getOrCall(stored[random.nextInt(entries)], NEVER);
    }

    /** The content address of a request: canonical JSON and its SHA-256. */
    @Benchmark
    public CanonicalRequest key() {
        return CanonicalRequest.of("openai/gpt-4o-mini", parameters, messages(random.nextInt(entries)));
    }
}
