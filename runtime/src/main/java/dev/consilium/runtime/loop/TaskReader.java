package dev.consilium.runtime.loop;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads an experiment's task file into {@link TaskRecord}s. Errors name the file and line ({@code
 * tasks/train.jsonl:12: missing "answer"}), so a bad line stops the run before it starts, never midway.
 */
@FunctionalInterface
public interface TaskReader {

    /** Every task of {@code file}; with {@code referenceRequired}, a task without a reference is an error. */
    List<TaskRecord> read(Path file, boolean referenceRequired);

    /**
     * The default reader: one JSON object a line with {@code id}, {@code input} (or {@code question}), an optional
     * {@code reference} (or {@code answer}), and any other fields as metadata.
     */
    static TaskReader jsonl() {
        return new JsonlTasks();
    }
}
