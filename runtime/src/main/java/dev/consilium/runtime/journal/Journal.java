package dev.consilium.runtime.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.provider.Secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One append-only JSONL file of a run (trajectories, verdicts, rewards or metrics), each line a record
 * with a unique {@code "id"}.
 *
 * <p>Resuming after a crash replays a round deterministically, so it offers the same records again:
 * {@link #append} skips an id already present, which is how a resumed run ends with every record exactly
 * once. A crash can cut the last line short; opening the journal drops that partial line (it was never
 * reported as saved) and keeps every complete one. {@link #sync} forces appended records to disk; the loop
 * calls it before it declares a round done.
 */
public final class Journal implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final Set<String> ids = new HashSet<>();
    private final List<JsonNode> records = new ArrayList<>();
    /** Bytes of whole records; a failed write is cut back to here. */
    private long committed;

    private Journal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating if needed) the journal at {@code file}, reading back its complete records. */
    public static Journal open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return open(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new RunException("cannot open journal " + file + ": " + reason(e), e);
        }
    }

    /** The journal over {@code channel}, open on {@code file}: where a test makes writes fail as on a full disk. */
    static Journal open(Path file, FileChannel channel) throws IOException {
        Journal j = new Journal(file, channel);
        j.recover();
        return j;
    }

    private void recover() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int complete = 0;
        for (int start = 0, nl; (nl = indexOf(bytes, (byte) '\n', start)) >= 0; start = nl + 1) {
            String line = new String(bytes, start, nl - start, StandardCharsets.UTF_8);
            if (!line.isBlank()) {
                JsonNode record;
                try {
                    record = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new RunException(file + ": line " + (lineNumber(bytes, start)) + " is not JSON ("
                            + e.getOriginalMessage() + "); the journal was edited or damaged, not cut short by a crash");
                }
                String id = record.path("id").asText(null);
                if (id == null) throw new RunException(file + ": line " + lineNumber(bytes, start) + " has no \"id\"");
                if (ids.add(id)) records.add(record);
            }
            complete = nl + 1;
        }
        if (complete < bytes.length) channel.truncate(complete);
        channel.position(complete);
        committed = complete;
    }

    /**
     * Appends {@code record} (which must carry a textual {@code "id"}) unless that id is already in the
     * journal, with every configured API key {@linkplain Secrets#redact redacted}. Returns whether it was appended.
     */
    public synchronized boolean append(ObjectNode record) {
        String id = record.path("id").asText(null);
        if (id == null) throw new IllegalArgumentException("a journal record needs an \"id\": " + record);
        if (ids.contains(id)) return false;
        byte[] line;
        try {
            // The last line of defence for API keys an upstream echoed: the provider layer redacts them already.
            String text = JSON.writeValueAsString(record), safe = Secrets.redact(text);
            if (!safe.equals(text)) record = (ObjectNode) JSON.readTree(safe);
            line = (safe + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("record " + id + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) channel.write(b);
        } catch (IOException e) {
            rollBack();
            throw new RunException("cannot append to " + file + ": " + reason(e), e);
        }
        committed += line.length;
        ids.add(id);
        records.add(record);
        return true;
    }

    /** A failed write may leave part of a line; cut it so the file stays a sequence of whole records. */
    private void rollBack() {
        try {
            channel.truncate(committed);
            channel.position(committed);
        } catch (IOException ignored) {
            // The partial line is dropped on the next open anyway.
        }
    }

    /** Forces every appended record to disk. */
    public synchronized void sync() {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw new RunException("cannot sync " + file + ": " + reason(e), e);
        }
    }

    public synchronized boolean contains(String id) {
        return ids.contains(id);
    }

    /** The records, in the order they were appended. */
    public synchronized List<JsonNode> records() {
        return List.copyOf(records);
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            channel.force(true);
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + reason(e), e);
        }
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) if (b[i] == v) return i;
        return -1;
    }

    private static int lineNumber(byte[] b, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) if (b[i] == '\n') n++;
        return n;
    }
}
