package dev.consilium.runtime.seam;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * API keys that travel with a job to the workers, by variable name ({@code OPENAI_API_KEY}). They ride inside the
 * job's serialised tasks, never in Spark's configuration: Spark writes its configuration to the UI, the event
 * log and debug dumps, and its default redaction pattern does not match names like {@code OPENAI_API_KEY}. On
 * a worker, a variable not shipped falls back to the worker's own environment. Printing one shows only names.
 */
public final class SecretEnv implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    public static final SecretEnv NONE = new SecretEnv(Map.of());

    private final TreeMap<String, String> values;

    private SecretEnv(Map<String, String> values) {
        this.values = new TreeMap<>(values);
    }

    /** Exactly these variables and values. */
    public static SecretEnv of(Map<String, String> values) {
        return new SecretEnv(values);
    }

    /** The driver's own values of {@code variables}; each must be set, or the job could not reach its judge. */
    public static SecretEnv fromEnvironment(Iterable<String> variables) {
        Map<String, String> found = new TreeMap<>();
        for (String v : variables) {
            String value = System.getenv(v);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("environment variable " + v + " is not set on the driver; export it "
                        + "with the API key the executors' judges need");
            }
            found.put(v, value);
        }
        return new SecretEnv(found);
    }

    /** The shipped value of {@code variable}, else this JVM's environment variable, else null. */
    public String get(String variable) {
        String v = values.get(variable);
        return v != null ? v : System.getenv(variable);
    }

    @Override
    public String toString() {
        return "SecretEnv" + values.keySet();
    }
}
