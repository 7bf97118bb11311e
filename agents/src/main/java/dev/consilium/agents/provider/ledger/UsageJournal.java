package dev.consilium.agents.provider.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.agents.provider.ProviderException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A ledger's records as JSONL, one {@link UsageRecord} per line, appended as each call completes. A crash can
 * cut the last line short; reading drops that partial line (it was never reported as recorded), so appending
 * goes on from whole records.
 */
final class UsageJournal {

    private static final ObjectMapper JSON = new ObjectMapper();

    private UsageJournal() {}

    /** The records in {@code file}, creating it (and its directory) if it does not exist. */
    static List<UsageRecord> read(Path file) {
        List<UsageRecord> out = new ArrayList<>();
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            if (!Files.exists(file)) Files.createFile(file);
            byte[] bytes = Files.readAllBytes(file);
            int complete = 0, line = 0;
            for (int start = 0, nl; (nl = indexOf(bytes, start)) >= 0; start = nl + 1) {
                line++;
                String text = new String(bytes, start, nl - start, StandardCharsets.UTF_8);
                if (!text.isBlank()) out.add(parse(file, line, text));
                complete = nl + 1;
            }
            if (complete < bytes.length) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(complete);
                }
            }
        } catch (IOException e) {
            throw new ProviderException(file + ": cannot open the ledger file: " + e.getMessage(), e);
        }
        return out;
    }

    static void append(Path file, UsageRecord record) {
        try {
            Files.writeString(file, JSON.writeValueAsString(record) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ProviderException(file + ": cannot append a usage record to the ledger file: " + e.getMessage(), e);
        }
    }

    private static UsageRecord parse(Path file, int line, String text) {
        try {
            return JSON.readValue(text, UsageRecord.class);
        } catch (JsonProcessingException e) {
            throw new ProviderException(file + ": line " + line + " is not a usage record (" + e.getOriginalMessage()
                    + "); the ledger file was edited or damaged");
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) if (b[i] == '\n') return i;
        return -1;
    }
}
