package dev.consilium.runtime.loop;

import dev.consilium.agents.provider.builtin.BuiltinModel;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A built-in checkpoint directory as a value that can travel: in the driver's JVM the directory itself; serialised,
 * its files (config, weights, tokenizer), read once however often it is sent, which a worker elsewhere unpacks and
 * loads. Equal while the directory is the same, so a judge refreshed into a new directory is a new value that each
 * executor loads once. Also how {@link PolicyCheckpoint} packs and unpacks the policy's files.
 */
final class CheckpointFiles implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String dir;
    private TreeMap<String, byte[]> files;

    private CheckpointFiles(String dir) {
        this.dir = dir;
    }

    static CheckpointFiles of(Path dir) {
        return new CheckpointFiles(dir.toAbsolutePath().normalize().toString());
    }

    String dir() {
        return dir;
    }

    /** The checkpoint loaded here: from the directory in the JVM that named it, from the files that came elsewhere. */
    BuiltinModel load() {
        return files == null ? BuiltinModel.load(Path.of(dir)) : unpacked(files, "checkpoint " + dir, BuiltinModel::load);
    }

    @Serial
    private synchronized void writeObject(ObjectOutputStream out) throws IOException {
        if (files == null) files = read(Path.of(dir));
        out.defaultWriteObject();
    }

    /** The regular files of {@code dir} by name. */
    static TreeMap<String, byte[]> read(Path dir) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> ls = Files.list(dir)) {
            for (Path f : ls.filter(Files::isRegularFile).toList()) out.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
        return out;
    }

    /** {@code load} applied to {@code files} written into a temporary directory, deleted afterwards. */
    static <T> T unpacked(Map<String, byte[]> files, String what, Function<Path, T> load) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("consilium-checkpoint-");
            for (Map.Entry<String, byte[]> f : files.entrySet()) Files.write(tmp.resolve(f.getKey()), f.getValue());
            return load.apply(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + what + " into a temporary directory: " + e.getMessage(), e);
        } finally {
            if (tmp != null) delete(tmp);
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary directory left behind is not worth failing a round for
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckpointFiles c && c.dir.equals(dir);
    }

    @Override
    public int hashCode() {
        return dir.hashCode();
    }

    @Override
    public String toString() {
        return dir;
    }
}
