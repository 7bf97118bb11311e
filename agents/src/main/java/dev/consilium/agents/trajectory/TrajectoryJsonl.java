package dev.consilium.agents.trajectory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Trajectories as JSON Lines: one trajectory per line. {@link #appender} keeps a file open and appends from any
 * number of threads, each line whole and flushed, so a crash loses at most the line being written.
 */
public final class TrajectoryJsonl implements AutoCloseable {

    private final Path file;
    private final BufferedWriter out;

    private TrajectoryJsonl(Path file) throws IOException {
        this.file = file;
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Opens {@code file} for appending, creating it and its directory if needed. */
    public static TrajectoryJsonl appender(Path file) {
        try {
            return new TrajectoryJsonl(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open for appending trajectories: " + e.getMessage(), e);
        }
    }

    public synchronized void append(Trajectory t) {
        try {
            out.write(t.toJson());
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot append trajectory " + t.runId() + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code trajectories} to {@code file}, replacing what was there. */
    public static void write(Path file, List<Trajectory> trajectories) {
        StringBuilder sb = new StringBuilder();
        for (Trajectory t : trajectories) sb.append(t.toJson()).append('\n');
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            Files.writeString(file, sb, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write trajectories: " + e.getMessage(), e);
        }
    }

    /** Every trajectory in {@code file}; an error names the line that is not one. */
    public static List<Trajectory> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read trajectories: " + e.getMessage(), e);
        }
        List<Trajectory> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                out.add(Trajectory.fromJson(lines.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot close: " + e.getMessage(), e);
        }
    }
}
