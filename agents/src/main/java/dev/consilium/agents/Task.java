package dev.consilium.agents;

import java.util.Map;
import java.util.Objects;

/**
 * What a workflow is asked to do: an input text, an id that names it in trajectories and reports, and free-form
 * metadata (a reference answer, a split, a source) that workflows pass along untouched and judges may read.
 */
public record Task(String id, String input, Map<String, String> metadata) {

    public Task {
        Objects.requireNonNull(input, "input");
        if (id == null) id = defaultId(input);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A task whose id is derived from its input, so the same input always has the same id. */
    public static Task of(String input) {
        return new Task(null, input, Map.of());
    }

    public static Task of(String id, String input) {
        return new Task(id, input, Map.of());
    }

    private static String defaultId(String input) {
        return "task-" + Integer.toHexString(input.hashCode());
    }
}
