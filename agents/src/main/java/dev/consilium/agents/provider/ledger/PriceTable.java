package dev.consilium.agents.provider.ledger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.agents.provider.ModelRef;
import dev.consilium.agents.provider.ProviderException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Prices by model key, read from files in LiteLLM's price-map format so that LiteLLM's own file (or a part of
 * it) can be dropped in. A ref {@code provider/model} is looked up as {@code provider/model} first (LiteLLM's
 * keys for Gemini and DeepSeek) and then as {@code model} (its keys for OpenAI and Anthropic). Entries without an
 * {@code input_cost_per_token} (images, audio, LiteLLM's {@code sample_spec}) are skipped.
 */
public final class PriceTable {

    private static final String BUNDLED = "model_prices.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, ModelPrice> prices;

    private PriceTable(Map<String, ModelPrice> prices) {
        this.prices = Map.copyOf(prices);
    }

    public static PriceTable of(Map<String, ModelPrice> prices) {
        return new PriceTable(prices);
    }

    /** The handful of prices shipped with Consilium; each entry names its source and date. */
    public static PriceTable bundled() {
        try (InputStream in = PriceTable.class.getResourceAsStream(BUNDLED)) {
            if (in == null) throw new ProviderException("bundled price file " + BUNDLED + " is missing from the classpath");
            return new PriceTable(parse(JSON.readTree(in), BUNDLED));
        } catch (IOException e) {
            throw new ProviderException(BUNDLED + ": cannot read bundled prices: " + e.getMessage(), e);
        }
    }

    /** A user's price file, e.g. LiteLLM's {@code model_prices_and_context_window.json}. */
    public static PriceTable load(Path file) {
        try {
            return new PriceTable(parse(JSON.readTree(Files.readString(file)), file.toString()));
        } catch (IOException e) {
            throw new ProviderException(file + ": cannot read price file: " + e.getMessage(), e);
        }
    }

    /** This table with {@code overrides} taking precedence, key by key. */
    public PriceTable overriddenBy(Map<String, ModelPrice> overrides) {
        Map<String, ModelPrice> merged = new HashMap<>(prices);
        merged.putAll(overrides);
        return new PriceTable(merged);
    }

    public PriceTable overriddenBy(PriceTable overrides) {
        return overriddenBy(overrides.prices);
    }

    public Optional<ModelPrice> find(ModelRef ref) {
        ModelPrice p = prices.get(ref.toString());
        if (p == null) p = prices.get(ref.model());
        return Optional.ofNullable(p);
    }

    public Optional<ModelPrice> find(String key) {
        return Optional.ofNullable(prices.get(key));
    }

    private static Map<String, ModelPrice> parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) throw new ProviderException(source + ": expected a JSON object of model entries");
        Map<String, ModelPrice> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode entry = e.getValue();
            if (!entry.isObject() || !entry.path("input_cost_per_token").isNumber()) continue;
            try {
                out.put(e.getKey(), JSON.convertValue(entry, new TypeReference<ModelPrice>() {}));
            } catch (IllegalArgumentException bad) {
                throw new ProviderException(source + ": entry \"" + e.getKey() + "\": " + bad.getMessage(), bad);
            }
        }
        return out;
    }
}
