package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default task reader, {@code jsonl}: one JSON object a line with {@code id}, {@code input} (or {@code
 * question}), an optional {@code reference} (or {@code answer}), and any other fields as metadata (text as is,
 * anything else as its JSON). Blank lines are skipped.
 */
final class JsonlTasks implements TaskReader {
    static final String NAME = "jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public List<TaskRecord> read(Path file, boolean referenceRequired) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<TaskRecord> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String at = file + ":" + (i + 1);
            JsonNode o;
            try {
                o = JSON.readTree(lines.get(i));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(at + ": not JSON: " + e.getOriginalMessage(), e);
            }
            if (!o.isObject()) throw new IllegalArgumentException(at + ": expected a JSON object");
            String id = text(o, "id"), input = text(o, "input", "question"), reference = text(o, "reference", "answer");
            if (id == null) throw new IllegalArgumentException(at + ": missing \"id\"");
            if (input == null) throw new IllegalArgumentException(at + ": missing \"input\" (or \"question\")");
            if (reference == null && referenceRequired) {
                throw new IllegalArgumentException(at + ": missing \"answer\" (or \"reference\"): the answer check and verifiable rewards need it");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            for (var f : o.properties()) {
                if (List.of("id", "input", "question", "reference", "answer").contains(f.getKey())) continue;
                metadata.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
            }
            out.add(new TaskRecord(id, input, reference, metadata));
        }
        return out;
    }

    private static String text(JsonNode o, String... names) {
        for (String n : names) {
            JsonNode v = o.get(n);
            if (v != null && !v.isNull()) return v.isTextual() ? v.asText() : v.toString();
        }
        return null;
    }
}
