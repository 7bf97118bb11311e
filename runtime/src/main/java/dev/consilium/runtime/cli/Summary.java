package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/** How the CLI states a metrics record's held-out accuracy: correct/total and percent. */
final class Summary {
    private Summary() {}

    static String accuracy(JsonNode m) {
        return String.format(Locale.ROOT, "%d/%d (%.1f%%)", m.get("heldout_correct").asInt(), m.get("heldout_total").asInt(),
                100 * m.get("heldout_accuracy").asDouble());
    }
}
