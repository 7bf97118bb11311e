package dev.consilium.runtime.seam;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which engine runs a run's units and how to reach it: {@code type} ({@code in-process}, the default, or a
 * provider's name such as {@code spark}), the engine's {@code master} URL (for Spark {@code spark://host:7077},
 * {@code k8s://...}, {@code yarn}, {@code local[4]}; null where the engine is told otherwise, as spark-submit
 * does) and engine settings ({@code spark.executor.memory}). Never API keys: settings are printed by engines.
 */
public record ExecutorOptions(String type, String master, Map<String, String> conf) {
    public static final String IN_PROCESS = "in-process";

    public ExecutorOptions {
        Objects.requireNonNull(type, "type");
        conf = conf == null ? Map.of() : new TreeMap<>(conf);
    }

    public boolean inProcess() {
        return IN_PROCESS.equals(type);
    }
}
