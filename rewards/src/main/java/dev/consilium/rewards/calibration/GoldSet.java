package dev.consilium.rewards.calibration;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Gold sets as JSONL, one {@link GoldItem} per line; the same items write the same bytes. */
public final class GoldSet {
    private GoldSet() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every item of {@code file}; errors name the file and line. */
    public static List<GoldItem> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read gold set " + file + ": " + e.getMessage(), e);
        }
        List<GoldItem> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            GoldItem item;
            try {
                item = JSON.readValue(lines.get(i), GoldItem.class);
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a gold item: " + e.getMessage(), e);
            }
            if (item.kind() == null || item.kind().isBlank()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": missing \"kind\" (pairwise, pointwise, or what a "
                        + "pointwise item probes, e.g. digit-off)");
            }
            if (item.task() == null || item.answer() == null || (item.isPairwise() && item.answerB() == null)) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": missing \"task\", \"answer\" or (pairwise) \"answerB\"");
            }
            items.add(item);
        }
        return items;
    }

    public static void write(Path file, List<GoldItem> items) {
        StringBuilder sb = new StringBuilder();
        try {
            for (GoldItem item : items) sb.append(JSON.writeValueAsString(item)).append('\n');
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write gold set " + file + ": " + e.getMessage(), e);
        }
    }
}
