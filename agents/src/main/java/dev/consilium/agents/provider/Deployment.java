package dev.consilium.agents.provider;

import dev.consilium.agents.provider.ledger.ModelPrice;

import java.time.Duration;
import java.util.Optional;

/**
 * One named way to reach a model: an entry of the providers file. Only {@code model} is required; every other
 * field falls back to the provider's default (its public base URL, its usual key variable) or to "no limit".
 *
 * @param name            how refs and fallback groups refer to this deployment; defaults to {@code model}
 * @param model           the {@link ModelRef}, e.g. {@code openai/gpt-4o-mini}
 * @param modelName       the model name sent on the wire, when it differs from the ref's model part
 * @param baseUrl         the endpoint, e.g. {@code http://localhost:8000/v1} for a vLLM server
 * @param apiKeyEnv       the environment variable that holds the key; the key itself never appears in a file
 * @param rpm             requests per minute this process may send, shared by every caller
 * @param tpm             tokens (input plus output) per minute, likewise
 * @param price           overrides the bundled price of this model, in LiteLLM's field names
 * @param fallbackGroup   deployments sharing a group stand in for one another, in file order
 * @param timeoutSeconds  one HTTP attempt's connect and read timeout
 * @param deadlineSeconds one whole call's limit, retries and fallbacks included
 * @param maxRetries      retries after the first attempt of a retriable failure
 */
public record Deployment(
        String name,
        String model,
        String modelName,
        String baseUrl,
        String apiKeyEnv,
        Integer rpm,
        Integer tpm,
        ModelPrice price,
        String fallbackGroup,
        Double timeoutSeconds,
        Double deadlineSeconds,
        Integer maxRetries) {

    public Deployment {
        if (model == null || model.isBlank()) {
            throw new ProviderException("deployment '" + name + "': missing \"model\" (a ref such as openai/gpt-4o-mini)");
        }
        ModelRef.parse(model);
        if (name == null || name.isBlank()) name = model;
        requirePositive(name, "rpm", rpm);
        requirePositive(name, "tpm", tpm);
        requirePositive(name, "timeoutSeconds", timeoutSeconds);
        requirePositive(name, "deadlineSeconds", deadlineSeconds);
        if (maxRetries != null && maxRetries < 0) {
            throw new ProviderException("deployment '" + name + "': \"maxRetries\" must not be negative, got " + maxRetries);
        }
    }

    /** A deployment with nothing configured but the ref: the provider's defaults throughout. */
    public static Deployment of(String model) {
        return builder().model(model).build();
    }

    public ModelRef ref() {
        return ModelRef.parse(model);
    }

    /** The model name on the wire: {@code modelName} when set, else the ref's model part. */
    public String wireModelName() {
        return modelName != null ? modelName : ref().model();
    }

    /** How messages name this deployment: the ref, and the deployment's name when it has one of its own. */
    public String describe() {
        return name.equals(model) ? model : model + " (deployment '" + name + "')";
    }

    public Optional<Duration> timeout() {
        return seconds(timeoutSeconds);
    }

    public Optional<Duration> deadline() {
        return seconds(deadlineSeconds);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().name(name).model(model).modelName(modelName).baseUrl(baseUrl).apiKeyEnv(apiKeyEnv)
                .rpm(rpm).tpm(tpm).price(price).fallbackGroup(fallbackGroup).timeoutSeconds(timeoutSeconds)
                .deadlineSeconds(deadlineSeconds).maxRetries(maxRetries);
    }

    private static Optional<Duration> seconds(Double s) {
        return s == null ? Optional.empty() : Optional.of(Duration.ofNanos(Math.round(s * 1e9)));
    }

    private static void requirePositive(String name, String field, Number value) {
        if (value != null && value.doubleValue() <= 0) {
            throw new ProviderException("deployment '" + name + "': \"" + field + "\" must be positive, got " + value);
        }
    }

    public static final class Builder {
        private String name, model, modelName, baseUrl, apiKeyEnv, fallbackGroup;
        private Integer rpm, tpm, maxRetries;
        private ModelPrice price;
        private Double timeoutSeconds, deadlineSeconds;

        private Builder() {}

        public Builder name(String name) { this.name = name; return this; }
        public Builder model(String model) { this.model = model; return this; }
        public Builder modelName(String modelName) { this.modelName = modelName; return this; }
        public Builder baseUrl(String baseUrl) { this.baseUrl = baseUrl; return this; }
        public Builder apiKeyEnv(String apiKeyEnv) { this.apiKeyEnv = apiKeyEnv; return this; }
        public Builder rpm(Integer rpm) { this.rpm = rpm; return this; }
        public Builder tpm(Integer tpm) { this.tpm = tpm; return this; }
        public Builder price(ModelPrice price) { this.price = price; return this; }
        public Builder fallbackGroup(String fallbackGroup) { this.fallbackGroup = fallbackGroup; return this; }
        public Builder timeoutSeconds(Double timeoutSeconds) { this.timeoutSeconds = timeoutSeconds; return this; }
        public Builder deadlineSeconds(Double deadlineSeconds) { this.deadlineSeconds = deadlineSeconds; return this; }
        public Builder maxRetries(Integer maxRetries) { this.maxRetries = maxRetries; return this; }

        public Deployment build() {
            return new Deployment(name, model, modelName, baseUrl, apiKeyEnv, rpm, tpm, price, fallbackGroup,
                    timeoutSeconds, deadlineSeconds, maxRetries);
        }
    }
}
