package dev.consilium.agents.provider.bench;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ModelTarget;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.consilium.agents.provider.decorator.CircuitBreaker;
import dev.consilium.agents.provider.decorator.DeadlineChatModel;
import dev.consilium.agents.provider.decorator.FallbackChatModel;
import dev.consilium.agents.provider.decorator.LedgerChatModel;
import dev.consilium.agents.provider.decorator.RateLimitChatModel;
import dev.consilium.agents.provider.decorator.RateLimiter;
import dev.consilium.agents.provider.decorator.RetryChatModel;
import dev.consilium.agents.provider.decorator.RetryPolicy;
import dev.consilium.agents.provider.decorator.Sleeper;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.ledger.ModelPrice;
import dev.consilium.agents.provider.ledger.PriceTable;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the provider layer adds to one call, over a model that answers at once: each decorator alone, and the
 * whole stack {@link Providers} builds (deadline, fallback group with breakers, retry, rate limit, ledger), with
 * the response cache off, hit and missed. The target for the stack with the cache off is under 20 µs per call.
 * Run by hand (docs/BENCH-PROVIDERS.md); nothing here runs in {@code mvn verify}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProviderStackBenchmark {

    static final ChatResponse ANSWER = ChatResponse.builder().aiMessage(AiMessage.from("17 + 25 = 42"))
            .finishReason(FinishReason.STOP).modelName("zero").tokenUsage(new TokenUsage(30, 6)).build();

    /** A model with no latency at all: every microsecond measured is the layer's. */
    static final ChatModel ZERO = new ChatModel() {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            return ANSWER;
        }
    };

    private static final ChatModelProvider ZERO_PROVIDER = new ChatModelProvider() {
        @Override
        public String name() {
            return "zero";
        }

        @Override
        public ChatModel chatModel(ModelTarget target) {
            return ZERO;
        }
    };

    private static final Deployment PRIMARY = Deployment.builder().name("primary").model("zero/a")
            .rpm(Integer.MAX_VALUE).tpm(Integer.MAX_VALUE).fallbackGroup("g").deadlineSeconds(60.0).build();
    private static final Deployment BACKUP = Deployment.builder().name("backup").model("zero/b").fallbackGroup("g").build();

    private final ChatRequest request = ChatRequest.builder()
            .messages(SystemMessage.from("Answer with the number only."), UserMessage.from("What is 17 + 25?")).build();

    private Path cacheDir;
    private long distinct;
    private ChatModel retry, rateLimit, ledger, fallback, deadline, stack, stackCached;

    @Setup(Level.Trial)
    public void openCache() throws IOException {
        cacheDir = Files.createTempDirectory("consilium-bench-cache");
    }

    /** Fresh per iteration, so the ledger's records do not pile up over millions of calls. */
    @Setup(Level.Iteration)
    public void build() {
        Ledger book = Ledger.builder().prices(PriceTable.of(Map.of("a", ModelPrice.of(1e-7, 4e-7)))).build();
        retry = new RetryChatModel(ZERO, "zero/a", RetryPolicy.DEFAULT, Sleeper.system(), new Random(1));
        rateLimit = new RateLimitChatModel(ZERO, new RateLimiter(Integer.MAX_VALUE, Integer.MAX_VALUE, InstantSource.system(), Sleeper.system()));
        ledger = new LedgerChatModel(ZERO, book, PRIMARY);
        fallback = new FallbackChatModel(List.of(
                new FallbackChatModel.Member("a", ZERO, new CircuitBreaker(5, Duration.ofSeconds(30), InstantSource.system())),
                new FallbackChatModel.Member("b", ZERO, new CircuitBreaker(5, Duration.ofSeconds(30), InstantSource.system()))));
        deadline = new DeadlineChatModel(ZERO, "zero/a", Duration.ofSeconds(60));
        stack = providers(book, null).chatModel("primary");
        stackCached = providers(book, ResponseCache.open(cacheDir, CacheMode.READ_WRITE)).chatModel("primary");
    }

    private static Providers providers(Ledger book, ResponseCache cache) {
        return Providers.builder().config(ProvidersConfig.of(PRIMARY, BACKUP)).env(v -> null).provider(ZERO_PROVIDER)
                .ledger(book).cache(cache).build();
    }

    @TearDown(Level.Trial)
    public void deleteCache() throws IOException {
        deleteTree(cacheDir);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Benchmark
    public ChatResponse bare() {
        return ZERO.chat(request);
    }

    @Benchmark
    public ChatResponse retryOnly() {
        return retry.chat(request);
    }

    @Benchmark
    public ChatResponse rateLimitOnly() {
        return rateLimit.chat(request);
    }

    @Benchmark
    public ChatResponse ledgerOnly() {
        return ledger.chat(request);
    }

    @Benchmark
    public ChatResponse fallbackOnly() {
        return fallback.chat(request);
    }

    @Benchmark
    public ChatResponse deadlineOnly() {
        return deadline.chat(request);
    }

    /** Deadline, fallback over two deployments with breakers, retry, rate limit and ledger; no cache. */
    @Benchmark
    public ChatResponse stackCacheOff() {
        return stack.chat(request);
    }

    /** The same request every time: answered from the cache, below which nothing runs. */
    @Benchmark
    public ChatResponse stackCacheHit() {
        return stackCached.chat(request);
    }

    /** A new request every time: the key, a miss, the whole stack, and one cache file written. */
    @Benchmark
    public ChatResponse stackCacheMiss() {
        return stackCached.chat(ChatRequest.builder().messages(UserMessage.from("question " + distinct++)).build());
    }
}
