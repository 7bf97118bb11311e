package dev.consilium.agents.provider;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API keys this process has read for its providers, and {@link #redact}, which blanks them out of text. An
 * upstream may echo the key it was sent ("Incorrect API key provided: sk-..."); every error body is redacted
 * where it enters this layer, and the run journal redacts each record again before writing it, so a key never
 * reaches a message, a log line or a file.
 *
 * <p>Process-wide on purpose: any component may write text that came from any deployment's upstream.
 */
public final class Secrets {

    /**
     * Values shorter than this are not treated as secrets: servers that ignore keys are often given a
     * placeholder ("none", "EMPTY"), and blanking every occurrence of such a word would mangle records while
     * hiding nothing worth hiding.
     */
    static final int MIN_LENGTH = 8;

    /** Each value, and its JSON-escaped form where that differs, to the variable it came from. */
    private static final Map<String, String> VALUES = new ConcurrentHashMap<>();

    private Secrets() {}

    /** Remembers {@code value}, read from the environment variable {@code variable}, as a secret. */
    public static void register(String variable, String value) {
        if (value == null || value.length() < MIN_LENGTH) return;
        VALUES.put(value, variable);
        String escaped = new String(JsonStringEncoder.getInstance().quoteAsString(value));
        if (!escaped.equals(value)) VALUES.put(escaped, variable);
    }

    /** {@code text} with every registered key replaced by {@code [redacted $VARIABLE]}; null stays null. */
    public static String redact(String text) {
        if (text == null || VALUES.isEmpty()) return text;
        String out = text;
        for (Map.Entry<String, String> e : VALUES.entrySet()) {
            if (out.contains(e.getKey())) out = out.replace(e.getKey(), "[redacted $" + e.getValue() + "]");
        }
        return out;
    }
}
