package dev.consilium.moe.checkpoint;

import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a real JVM in the middle of saving, at several points, and checks that the directory then loads as
 * one complete checkpoint, the last one reported saved or the one after it, never a mix; and that the next
 * save clears what the dead one left.
 */
class CheckpointKillTest {
    /** 16 MB of weights and 16 MB of optimizer state: a save takes long enough to be caught mid-way. */
    private static final int FLOATS = 4 << 20;

    @TempDir
    Path tmp;

    @Test
    void killedWhileWritingTheWeights() throws Exception {
        killAndCheck(dir -> tempFile(dir, Checkpoint.WEIGHTS) != null);
    }

    @Test
    void killedWhileWritingTheOptimizerState() throws Exception {
        killAndCheck(dir -> tempFile(dir, Checkpoint.OPTIMIZER) != null);
    }

    @Test
    void killedJustAfterASaveReturned() throws Exception {
        killAndCheck(null);
    }

    @FunctionalInterface
    interface KillPoint {
        boolean reached(Path dir) throws IOException;
    }

    /** A file of that name inside a live save's temp directory, or null. */
    private static Path tempFile(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.list(dir.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith(dir.getFileName() + ".tmp-"))
                    .map(p -> p.resolve(name)).filter(Files::exists).findFirst().orElse(null);
        }
    }

    private void killAndCheck(KillPoint point) throws Exception {
        Path dir = tmp.resolve("ckpt");
        Path stderr = tmp.resolve("child.err");
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), CheckpointSaver.class.getName(),
                dir.toString(), Integer.toString(FLOATS))
                .redirectError(stderr.toFile())
                .start();
        AtomicLong saved = new AtomicLong();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("saved ")) saved.set(Long.parseLong(line.substring(6)));
                }
            } catch (IOException ignored) {
                // The stream closes when the child dies; what was read so far is what counts.
            }
        });
        try {
            Callable<Boolean> childFailed = () -> !child.isAlive();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1))
                    .failFast("the child exited: " + stderr, childFailed)
                    .until(() -> saved.get() >= 1);
            long after = saved.get();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1))
                    .failFast("the child exited: " + stderr, childFailed)
                    .until(() -> point == null ? saved.get() > after : saved.get() >= after && point.reached(dir));
        } finally {
            child.destroyForcibly();
            child.waitFor();
            reader.join();
        }

        long reported = saved.get();
        long gen = loadAndCheckWhole(dir);
        assertTrue(gen == reported || gen == reported + 1,
                "loaded generation " + gen + " but the child last reported saving " + reported);

        // The next save recovers from whatever the killed one left.
        float[] p = new float[FLOATS];
        java.util.Arrays.fill(p, 1000);
        Checkpoint.save(dir, CheckpointSaver.config(1000), CheckpointSaver.params(p), List.of(), null);
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("child.err", "ckpt", "ckpt.lock"), s.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals(CheckpointSaver.config(1000), Checkpoint.readConfig(dir));
    }

    /** Every file must carry the same generation. */
    private static long loadAndCheckWhole(Path dir) {
        float[] p = new float[FLOATS], b = new float[16];
        var loaded = Checkpoint.load(dir, CheckpointSaver.params(p), CheckpointSaver.buffers(b));
        long gen = (long) p[0];
        assertEquals(CheckpointSaver.config(gen), loaded.configJson());
        assertArrayEquals(CheckpointSaver.tokenizer(gen), loaded.tokenizerJson());
        for (float x : p) assertEquals(gen, x);
        for (float x : b) assertEquals(-gen, x);
        TrainingState state = loaded.trainingState();
        assertEquals(gen, state.step());
        assertEquals(gen, state.optimizer().step());
        for (NamedTensor t : state.optimizer().tensors()) {
            for (int i = 0; i < t.size(); i++) assertEquals(2 * gen, t.get(i), t.name());
        }
        return gen;
    }
}
