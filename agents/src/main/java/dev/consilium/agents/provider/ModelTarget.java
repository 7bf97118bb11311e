package dev.consilium.agents.provider;

import dev.consilium.agents.provider.http.HeaderPreservingHttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.model.chat.listener.ChatModelListener;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a {@link ChatModelProvider} builds from: a deployment, the environment its key comes from, the listeners
 * to register on the vendor model, and the HTTP client to build with. Keys are read from the environment only when a provider asks, are handed straight to
 * the vendor client, and appear in no message, {@code toString} or log of this layer.
 */
public final class ModelTarget {

    /** One HTTP attempt's connect and read timeout when the deployment sets none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Deployment deployment;
    private final Function<String, String> env;
    private final List<ChatModelListener> listeners;

    public ModelTarget(Deployment deployment, Function<String, String> env) {
        this(deployment, env, List.of());
    }

    public ModelTarget(Deployment deployment, Function<String, String> env, List<ChatModelListener> listeners) {
        this.deployment = Objects.requireNonNull(deployment, "deployment");
        this.env = Objects.requireNonNull(env, "env");
        this.listeners = List.copyOf(listeners);
    }

    public Deployment deployment() {
        return deployment;
    }

    public ModelRef ref() {
        return deployment.ref();
    }

    /** The model name to send on the wire. */
    public String modelName() {
        return deployment.wireModelName();
    }

    /** How messages name this target: the ref, and the deployment's name when it has one of its own. */
    public String describe() {
        return deployment.describe();
    }

    public String baseUrl(String providerDefault) {
        return deployment.baseUrl() != null ? deployment.baseUrl() : providerDefault;
    }

    public String requireBaseUrl() {
        if (deployment.baseUrl() != null) return deployment.baseUrl();
        throw new ProviderException(describe() + ": no base URL; add {\"name\": \"" + deployment.name()
                + "\", \"model\": \"" + deployment.model() + "\", \"baseUrl\": \"http://HOST:PORT/v1\"} to the providers file");
    }

    /**
     * The key from the deployment's {@code apiKeyEnv}, else from {@code defaultVariable}.
     *
     * @throws ProviderException naming the variable (never a value) when it is unset or blank
     */
    public String apiKey(String defaultVariable) {
        String variable = deployment.apiKeyEnv() != null ? deployment.apiKeyEnv() : defaultVariable;
        return read(variable);
    }

    /** For servers that may run without a key: a key only when the deployment names a variable. */
    public Optional<String> optionalApiKey() {
        return deployment.apiKeyEnv() == null ? Optional.empty() : Optional.of(read(deployment.apiKeyEnv()));
    }

    /**
     * Listeners for the vendor model's {@code listeners(...)}: they see every real attempt, with the call's
     * listener attributes (its {@link dev.consilium.agents.provider.ledger.Attribution} among them), which is
     * where a run records its trajectory.
     */
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    public Duration timeout() {
        return deployment.timeout().orElse(DEFAULT_TIMEOUT);
    }

    /**
     * LangChain4j's JDK HTTP client, built so that a failed response keeps its {@code Retry-After} header: the
     * retry decorator honours it. Vendor clients take it through their {@code httpClientBuilder(...)}.
     */
    public HttpClientBuilder httpClientBuilder() {
        return httpClientBuilder("is the server running, and is the deployment's baseUrl right?");
    }

    /**
     * {@link #httpClientBuilder()} whose failure to connect says {@code unreachableHint} after the URL, e.g. for a
     * local server the user must start themselves.
     */
    public HttpClientBuilder httpClientBuilder(String unreachableHint) {
        String url = deployment.baseUrl();
        return HeaderPreservingHttpClient.langChain4jBuilder(url != null && url.regionMatches(true, 0, "http://", 0, 7),
                unreachableHint);
    }

    private String read(String variable) {
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            throw new ProviderException(describe() + ": environment variable " + variable + " is not set; "
                    + "export it with the API key, or set \"apiKeyEnv\" on the deployment to the variable that holds it");
        }
        Secrets.register(variable, value);
        return value;
    }

    @Override
    public String toString() {
        return "ModelTarget[" + describe() + "]";
    }
}
