package dev.consilium.agents.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.agents.provider.cache.CacheSettings;
import dev.consilium.agents.provider.ledger.LedgerSettings;
import dev.consilium.agents.provider.ledger.ModelPrice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The providers file: named deployments, price overrides, and optionally a response cache and a usage ledger.
 * Keys are never in it, only the names of the environment variables that hold them.
 * <pre>{@code
 * {
 *   "deployments": [
 *     {"name": "fast", "model": "openai/gpt-4o-mini", "rpm": 500, "tpm": 200000, "fallbackGroup": "cheap"},
 *     {"name": "fast-ds", "model": "deepseek/deepseek-chat", "fallbackGroup": "cheap", "deadlineSeconds": 120},
 *     {"model": "openai-compatible/qwen", "baseUrl": "http://localhost:8000/v1", "modelName": "Qwen/Qwen2.5-7B-Instruct"}
 *   ],
 *   "prices": {"gpt-4o-mini": {"input_cost_per_token": 1.5e-7, "output_cost_per_token": 6e-7}},
 *   "cache": {"dir": "cache", "mode": "read-write"},
 *   "ledger": {"file": "usage.jsonl", "budgetUsd": 5}
 * }
 * }</pre>
 * Unknown fields are errors, so a misspelt limit does not silently go unenforced.
 *
 * @param deployments in file order, which is also the order a fallback group tries them in
 * @param prices      entries in LiteLLM's price-map format that override the bundled prices, by model key
 * @param cache       the response cache every model of these providers answers from; null for none
 * @param ledger      where every call is recorded and what budget stops new ones; null for no ledger
 */
public record ProvidersConfig(List<Deployment> deployments, Map<String, ModelPrice> prices, CacheSettings cache,
                              LedgerSettings ledger) {

    public static final ProvidersConfig EMPTY = new ProvidersConfig(List.of(), Map.of());

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ProvidersConfig {
        deployments = deployments == null ? List.of() : List.copyOf(deployments);
        prices = prices == null ? Map.of() : Map.copyOf(prices);
        Set<String> names = new HashSet<>();
        for (Deployment d : deployments) {
            if (!names.add(d.name())) throw new ProviderException("deployment '" + d.name() + "' is defined twice");
        }
    }

    public ProvidersConfig(List<Deployment> deployments, Map<String, ModelPrice> prices) {
        this(deployments, prices, null, null);
    }

    public static ProvidersConfig of(Deployment... deployments) {
        return new ProvidersConfig(List.of(deployments), Map.of());
    }

    /** Reads {@code file}; a relative cache directory or ledger file is taken as relative to its directory. */
    public static ProvidersConfig load(Path file) {
        try {
            ProvidersConfig config = parse(Files.readString(file), file.toString());
            Path base = file.toAbsolutePath().getParent();
            return new ProvidersConfig(config.deployments, config.prices,
                    config.cache == null ? null : config.cache.resolvedAgainst(base),
                    config.ledger == null ? null : config.ledger.resolvedAgainst(base));
        } catch (NoSuchFileException e) {
            throw new ProviderException(file + ": providers file not found");
        } catch (IOException e) {
            throw new ProviderException(file + ": cannot read providers file: " + e.getMessage(), e);
        }
    }

    /** @param source names the text in error messages, e.g. its file name */
    public static ProvidersConfig parse(String json, String source) {
        try {
            ProvidersConfig config = JSON.readValue(json, ProvidersConfig.class);
            return config == null ? EMPTY : config;
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause();
            String at = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            String why = cause instanceof ProviderException pe ? pe.getMessage() : e.getOriginalMessage() + at;
            throw new ProviderException(source + ": " + why, e);
        } catch (ProviderException e) {
            throw new ProviderException(source + ": " + e.getMessage(), e);
        }
    }

    /** This config with {@code deployment} in place of the one of the same name, or added last if none has it. */
    public ProvidersConfig with(Deployment deployment) {
        List<Deployment> out = new ArrayList<>(deployments);
        int at = -1;
        for (int i = 0; i < out.size() && at < 0; i++) if (out.get(i).name().equals(deployment.name())) at = i;
        if (at >= 0) out.set(at, deployment);
        else out.add(deployment);
        return new ProvidersConfig(out, prices, cache, ledger);
    }

    /** This config with {@code cache} in place of its own (null: no cache). */
    public ProvidersConfig withCache(CacheSettings cache) {
        return new ProvidersConfig(deployments, prices, cache, ledger);
    }

    /** This config with {@code ledger} in place of its own (null: no ledger). */
    public ProvidersConfig withLedger(LedgerSettings ledger) {
        return new ProvidersConfig(deployments, prices, cache, ledger);
    }

    /** The deployment a ref names: by deployment name first, else the first whose model is that ref. */
    public Optional<Deployment> find(String ref) {
        for (Deployment d : deployments) if (d.name().equals(ref)) return Optional.of(d);
        for (Deployment d : deployments) if (d.model().equals(ref)) return Optional.of(d);
        return Optional.empty();
    }

    /** The deployments that stand in for {@code primary}: itself first, then its group's others in file order. */
    public List<Deployment> fallbacksOf(Deployment primary) {
        if (primary.fallbackGroup() == null) return List.of(primary);
        var members = new ArrayList<Deployment>();
        members.add(primary);
        for (Deployment d : deployments) {
            if (primary.fallbackGroup().equals(d.fallbackGroup()) && !d.name().equals(primary.name())) members.add(d);
        }
        return List.copyOf(members);
    }
}
