package dev.consilium.agents.provider;

/**
 * The name of a model: {@code provider/model}, e.g. {@code openai/gpt-4o-mini}, {@code ollama/llama3.2},
 * {@code openai-compatible/qwen}, {@code builtin/checkpoints/round-3}. The provider is everything before the first
 * slash; the model is the rest and may itself contain slashes (a path, or a Hugging Face repo id).
 */
public record ModelRef(String provider, String model) {

    public ModelRef {
        if (provider == null || provider.isBlank()) throw new ProviderException("model ref: provider is empty");
        if (model == null || model.isBlank()) {
            throw new ProviderException("model ref \"" + provider + "/\": model is empty");
        }
    }

    public static ModelRef parse(String ref) {
        if (ref == null) throw new ProviderException("model ref is null; expected PROVIDER/MODEL, e.g. openai/gpt-4o-mini");
        int slash = ref.indexOf('/');
        if (slash <= 0 || slash == ref.length() - 1) {
            throw new ProviderException("model ref \"" + ref + "\": expected PROVIDER/MODEL, e.g. openai/gpt-4o-mini");
        }
        return new ModelRef(ref.substring(0, slash), ref.substring(slash + 1));
    }

    @Override
    public String toString() {
        return provider + "/" + model;
    }
}
