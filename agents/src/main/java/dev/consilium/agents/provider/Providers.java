package dev.consilium.agents.provider;

import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.consilium.agents.provider.decorator.CacheChatModel;
import dev.consilium.agents.provider.decorator.CircuitBreaker;
import dev.consilium.agents.provider.decorator.DeadlineChatModel;
import dev.consilium.agents.provider.decorator.CacheStreamingChatModel;
import dev.consilium.agents.provider.decorator.FallbackChatModel;
import dev.consilium.agents.provider.decorator.FirstTokenChatModel;
import dev.consilium.agents.provider.decorator.LedgerChatModel;
import dev.consilium.agents.provider.decorator.LedgerStreamingChatModel;
import dev.consilium.agents.provider.decorator.PolicyStreamingChatModel;
import dev.consilium.agents.provider.decorator.RateLimitChatModel;
import dev.consilium.agents.provider.decorator.RateLimiter;
import dev.consilium.agents.provider.decorator.RetryChatModel;
import dev.consilium.agents.provider.decorator.RetryPolicy;
import dev.consilium.agents.provider.decorator.Sleeper;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.ledger.ModelPrice;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Model refs to ready-to-use LangChain4j models. {@link #chatModel(String)} resolves a ref (a deployment name
 * from the providers file, or any {@code provider/model}) and wraps the vendor model in the decorators its
 * deployment asks for, outermost first:
 * <pre>
 *   cache  -&gt;  deadline  -&gt;  fallback over the group's deployments, each with its circuit breaker
 *                              -&gt;  retry  -&gt;  rate limit  -&gt;  ledger  -&gt;  vendor model
 * </pre>
 * A cache hit costs nothing downstream; the deadline covers retries and fallbacks; each deployment retries
 * before the group falls back; every attempt takes rate-limit allowance; the ledger records each real call.
 * {@link #streamingChatModel(String)} shares this policy until a stream begins.
 *
 * <pre>{@code
 * Providers providers = Providers.builder()
 *         .config(ProvidersConfig.load(Path.of("providers.json")))
 *         .ledger(Ledger.builder().budgetUsd(5).build())
 *         .build();
 * ChatModel critic = providers.chatModel("openai/gpt-4o-mini");
 * }</pre>
 * Providers come from {@link ServiceLoader} ({@link ChatModelProvider}). {@code builtin/PATH-OR-NAME} refs run
 * the built-in model ({@link dev.consilium.agents.provider.builtin.BuiltinProvider}): a checkpoint directory,
 * relative to the working directory or absolute ({@code "builtin/" + dir.toAbsolutePath()}, which reads
 * {@code builtin//home/...}), or a name under the working directory's {@code models/}. Models are built once per
 * ref and shared.
 */
public final class Providers {

    /** The ref prefix of the built-in model, whose provider the model's runtime module registers. */
    public static final String BUILTIN = "builtin";

    private final ProvidersConfig config;
    private final Function<String, String> env;
    private final List<ChatModelListener> listeners;
    private final Map<String, ChatModelProvider> providers;
    private final Ledger ledger;
    private final ResponseCache cache;
    private final RetryPolicy retryPolicy;
    private final int breakerThreshold;
    private final Duration breakerCooldown;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final boolean ownTime;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();
    private final Map<String, ChatModel> chatModels = new ConcurrentHashMap<>();
    private final Map<String, StreamingChatModel> streamingModels = new ConcurrentHashMap<>();

    private Providers(Builder b) {
        this.config = b.config;
        this.env = b.env;
        this.listeners = List.copyOf(b.listeners);
        this.providers = b.loadProviders();
        this.ledger = b.ledger != null ? b.ledger : config.ledger() == null ? null : config.ledger().open();
        this.cache = b.cache != null ? b.cache : config.cache() == null ? null : config.cache().open();
        this.retryPolicy = b.retryPolicy;
        this.breakerThreshold = b.breakerThreshold;
        this.breakerCooldown = b.breakerCooldown;
        this.clock = b.clock != null ? b.clock : InstantSource.system();
        this.sleeper = b.sleeper != null ? b.sleeper : Sleeper.system();
        this.random = b.random != null ? b.random : new Random();
        this.ownTime = b.clock != null || b.sleeper != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The decorated model for {@code ref}; built on first use, then shared. */
    public ChatModel chatModel(String ref) {
        return chatModels.computeIfAbsent(ref, this::buildChatModel);
    }

    /**
     * The streaming model for {@code ref}. Until a stream begins (its first token reaches the caller) it goes
     * through the same policy as {@link #chatModel}: a 429, a 5xx or a refused connection is retried under the
     * same policy and {@code Retry-After}, takes the same rate-limit allowance, and falls back to the group's next
     * deployment; each real stream is recorded in the ledger, and the cache answers a repeated request. Once a
     * stream has begun, its failure goes to the handler and is not retried: what the caller has seen cannot be
     * taken back. A deployment's deadline does not apply to streams.
     */
    public StreamingChatModel streamingChatModel(String ref) {
        return streamingModels.computeIfAbsent(ref, r -> {
            Deployment primary = deployment(r);
            StreamingChatModel model = new PolicyStreamingChatModel(policy(primary, d -> {
                StreamingChatModel vendor = provider(d).streamingChatModel(new ModelTarget(d, env, listeners));
                if (ledger != null) vendor = new LedgerStreamingChatModel(vendor, ledger, d);
                return new FirstTokenChatModel(vendor);
            }));
            if (cache != null && cache.mode() != CacheMode.OFF) model = new CacheStreamingChatModel(model, cache, primary.model());
            return model;
        });
    }

    /**
     * Whether {@code ref}'s provider streams, i.e. overrides {@link ChatModelProvider#streamingChatModel}; asking
     * builds nothing and reads no key.
     */
    public boolean streams(String ref) {
        try {
            return provider(deployment(ref)).getClass().getMethod("streamingChatModel", ModelTarget.class)
                    .getDeclaringClass() != ChatModelProvider.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("ChatModelProvider declares streamingChatModel(ModelTarget)", e);
        }
    }

    /**
     * The deployment a ref resolves to: the deployment of that name, else the first whose model is that ref,
     * else a deployment with the provider's defaults. Prices from the file's {@code prices} attach by model key.
     */
    public Deployment deployment(String ref) {
        Deployment d = config.find(ref).orElseGet(() -> Deployment.of(ref));
        return withPrice(d);
    }

    /** The names of the registered providers, e.g. {@code [anthropic, deepseek, gemini, ...]}. */
    public Set<String> providerNames() {
        return new TreeSet<>(providers.keySet());
    }

    public Optional<Ledger> ledger() {
        return Optional.ofNullable(ledger);
    }

    public Optional<ResponseCache> cache() {
        return Optional.ofNullable(cache);
    }

    private ChatModel buildChatModel(String ref) {
        Deployment primary = deployment(ref);
        ChatModel model = policy(primary, d -> {
            ChatModel vendor = provider(d).chatModel(new ModelTarget(d, env, listeners));
            return ledger == null ? vendor : new LedgerChatModel(vendor, ledger, d);
        });
        if (primary.deadline().isPresent()) model = new DeadlineChatModel(model, primary.describe(), primary.deadline().get());
        if (cache != null && cache.mode() != CacheMode.OFF) model = new CacheChatModel(model, cache, primary.model());
        return model;
    }

    /**
     * Fallback over {@code primary}'s group, each deployment with its circuit breaker, retry and rate limit around
     * the model {@code call} makes for it: the policy that blocking calls and not-yet-begun streams share.
     */
    private ChatModel policy(Deployment primary, Function<Deployment, ChatModel> call) {
        List<Deployment> group = config.fallbacksOf(primary).stream().map(this::withPrice).toList();
        if (group.size() == 1) return leg(primary, call.apply(primary));
        List<FallbackChatModel.Member> members = new ArrayList<>();
        for (Deployment d : group) members.add(new FallbackChatModel.Member(d.describe(), leg(d, call.apply(d)), breaker(d)));
        return new FallbackChatModel(members);
    }

    /** One deployment's own chain: retry, then rate limit, around its model. */
    private ChatModel leg(Deployment d, ChatModel model) {
        if (d.rpm() != null || d.tpm() != null) model = new RateLimitChatModel(model, limiter(d));
        RetryPolicy policy = d.maxRetries() == null ? retryPolicy : retryPolicy.withMaxRetries(d.maxRetries());
        return new RetryChatModel(model, d.describe(), policy, sleeper, random);
    }

    private ChatModelProvider provider(Deployment d) {
        ModelRef ref = d.ref();
        ChatModelProvider p = providers.get(ref.provider());
        if (p != null) return p;
        if (ref.provider().equals(BUILTIN)) {
            throw new ProviderException(d.describe() + ": no provider for the built-in model is on the classpath; "
                    + "it is registered (as a ChatModelProvider named '" + BUILTIN + "') by the module that runs the "
                    + "built-in model");
        }
        throw new ProviderException(d.describe() + ": unknown provider '" + ref.provider() + "'; known: "
                + String.join(", ", providerNames()) + ". A third-party provider registers an implementation of "
                + ChatModelProvider.class.getName() + " in META-INF/services");
    }

    private CircuitBreaker breaker(Deployment d) {
        return breakers.computeIfAbsent(d.name(), n -> new CircuitBreaker(breakerThreshold, breakerCooldown, clock));
    }

    private RateLimiter limiter(Deployment d) {
        if (!ownTime) return RateLimiter.shared(d.name(), d.rpm(), d.tpm());
        return limiters.computeIfAbsent(d.name(), n -> new RateLimiter(d.rpm(), d.tpm(), clock, sleeper));
    }

    private Deployment withPrice(Deployment d) {
        if (d.price() != null) return d;
        ModelPrice p = config.prices().get(d.model());
        if (p == null) p = config.prices().get(d.ref().model());
        return p == null ? d : d.toBuilder().price(p).build();
    }

    public static final class Builder {
        private ProvidersConfig config = ProvidersConfig.EMPTY;
        private Function<String, String> env = System::getenv;
        private final List<ChatModelProvider> explicit = new ArrayList<>();
        private final List<ChatModelListener> listeners = new ArrayList<>();
        private ClassLoader classLoader = Thread.currentThread().getContextClassLoader();
        private Ledger ledger;
        private ResponseCache cache;
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private int breakerThreshold = 5;
        private Duration breakerCooldown = Duration.ofSeconds(30);
        private InstantSource clock;
        private Sleeper sleeper;
        private RandomGenerator random;

        private Builder() {}

        public Builder config(ProvidersConfig config) {
            this.config = config;
            return this;
        }

        /** Where keys are read: {@code System::getenv} by default; tests pass a map's {@code get}. */
        public Builder env(Function<String, String> env) {
            this.env = env;
            return this;
        }

        /** Adds a provider beside those found by ServiceLoader, replacing one of the same name. */
        public Builder provider(ChatModelProvider provider) {
            explicit.add(provider);
            return this;
        }

        /**
         * Registers a listener on every vendor model: it sees each real attempt (retries and fallbacks included)
         * with the call's listener attributes, such as its {@link dev.consilium.agents.provider.ledger.Attribution}.
         */
        public Builder listener(ChatModelListener listener) {
            listeners.add(listener);
            return this;
        }

        /** The class loader ServiceLoader searches; the thread's context class loader by default. */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = classLoader;
            return this;
        }

        /** Records every call and enforces its budget; by default the config's {@code ledger}, if any. */
        public Builder ledger(Ledger ledger) {
            this.ledger = ledger;
            return this;
        }

        /** Answers repeated requests from a response cache; by default the config's {@code cache}, if any. */
        public Builder cache(ResponseCache cache) {
            this.cache = cache;
            return this;
        }

        /** {@link RetryPolicy#DEFAULT} unless set; a deployment's {@code maxRetries} overrides its retry count. */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = retryPolicy;
            return this;
        }

        /** Consecutive failures that open a deployment's breaker (5), and how long it stays open (30 s). */
        public Builder circuitBreaker(int failureThreshold, Duration cooldown) {
            this.breakerThreshold = failureThreshold;
            this.breakerCooldown = cooldown;
            return this;
        }

        /**
         * For tests: the clock of breakers and rate limits. Setting it (or the sleeper) gives these providers
         * rate limiters of their own instead of the process-wide ones.
         */
        public Builder clock(InstantSource clock) {
            this.clock = clock;
            return this;
        }

        /** For tests: how retries and rate limits wait. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        /** For tests: the source of retry jitter. */
        public Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        public Providers build() {
            return new Providers(this);
        }

        private Map<String, ChatModelProvider> loadProviders() {
            Map<String, ChatModelProvider> found = new TreeMap<>();
            for (ChatModelProvider p : ServiceLoader.load(ChatModelProvider.class, classLoader)) {
                ChatModelProvider other = found.putIfAbsent(p.name(), p);
                if (other != null) {
                    throw new ProviderException("two providers registered for '" + p.name() + "': "
                            + other.getClass().getName() + " and " + p.getClass().getName());
                }
            }
            for (ChatModelProvider p : explicit) found.put(p.name(), p);
            return Map.copyOf(found);
        }
    }
}
