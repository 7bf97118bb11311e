package dev.consilium.runtime.loop;

import java.util.Map;
import java.util.Objects;

/**
 * One task of an experiment: an id that names it in journals, the input the workflow is asked, an optional
 * reference answer (the ground truth verifiable rewards, reference-guided judges and held-out evaluation read),
 * and free metadata that workflows pass along.
 */
public record TaskRecord(String id, String input, String reference, Map<String, String> metadata) {

    public TaskRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(input, "input");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static TaskRecord of(String id, String input, String reference) {
        return new TaskRecord(id, input, reference, Map.of());
    }
}
