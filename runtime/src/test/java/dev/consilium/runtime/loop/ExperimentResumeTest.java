package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import static dev.consilium.runtime.loop.LoopFixture.lines;
import static dev.consilium.runtime.loop.LoopFixture.withoutTiming;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The done-when: killing a run at any moment and resuming it gives the same final metrics as a run
 * that was never interrupted, with every journal record once. A kill is an exception thrown out of the
 * executor at a chosen unit of a chosen call, so it lands with the other units in flight; the executor's calls
 * are, in order, round 0's held-out evaluation, then for each round its rollouts, its judging and its
 * held-out evaluation (call {@code 3r - 2}, {@code 3r - 1}, {@code 3r} of round r).
 */
class ExperimentResumeTest {
    private static final List<String> JOURNALS = List.of("trajectories", "verdicts", "rewards", "preferences", "metrics");

    @TempDir
    static Path dir;
    static LoopFixture fixture;
    static Path whole;

    @BeforeAll
    static void runUninterrupted() {
        fixture = LoopFixture.create(dir);
        whole = dir.resolve("whole");
        ExperimentRun.start(LoopFixture.parse(fixture.experiment(whole)), LoopFixture.quiet()).run();
        assertFalse(lines(whole.resolve("preferences.jsonl")).isEmpty(), "the comparison should cover preference pairs");
    }

    @Test
    void killedWhileEvaluatingTheStartingPolicy() {
        assertResumesAsIfUninterrupted(killedAt("round0", 0, 3));
    }

    @Test
    void killedDuringTheFirstRoundsRollouts() {
        assertResumesAsIfUninterrupted(killedAt("rollouts1", 1, 5));
    }

    /** Its trajectories, verdicts and rewards are journaled and the policy trained, but nothing is checkpointed. */
    @Test
    void killedAfterTheFirstRoundsJournalsBeforeItsCheckpoint() {
        Path run = killedAt("journaled1", 3, 2);
        assertEquals(12, lines(run.resolve("rewards.jsonl")).size(), "round 1's records are on disk");
        assertFalse(Files.exists(run.resolve("rounds/round-0001")));
        assertResumesAsIfUninterrupted(run);
    }

    /**
     * The checkpoint is renamed into place and the process dies halfway through writing the round's metrics
     * record: the files a kill during round 2 leaves, with round 1's metrics line cut short.
     */
    @Test
    void killedWhileWritingTheFirstRoundsMetricsRecord() throws IOException {
        Path run = killedAt("checkpointed1", 4, 0);
        Path metrics = run.resolve("metrics.jsonl");
        List<String> records = Files.readAllLines(metrics, StandardCharsets.UTF_8);
        String last = records.getLast();
        assertTrue(last.contains("\"round\":1"), last);
        Files.writeString(metrics, String.join("\n", records.subList(0, records.size() - 1)) + "\n"
                + last.substring(0, last.length() / 2), StandardCharsets.UTF_8);
        assertResumesAsIfUninterrupted(run);
    }

    @Test
    void killedDuringTheSecondRoundsJudgingThenAgainWhileResuming() {
        Path run = killedAt("judging2", 5, 7);
        // Resumed after round 1: its calls are round 2's rollouts, judging and evaluation.
        ExperimentRun resumed = ExperimentRun.resume(run, LoopFixture.quiet()).withExecutor(new Killing(0, 3));
        assertThrows(Killed.class, resumed::run);
        assertResumesAsIfUninterrupted(run);
    }

    private static Path killedAt(String name, int call, int unit) {
        Path run = dir.resolve(name);
        ExperimentRun r = ExperimentRun.start(LoopFixture.parse(fixture.experiment(run)), LoopFixture.quiet())
                .withExecutor(new Killing(call, unit));
        assertThrows(Killed.class, r::run);
        return run;
    }

    private static void assertResumesAsIfUninterrupted(Path run) {
        ExperimentRun.resume(run, LoopFixture.quiet()).run();
        for (String journal : JOURNALS) {
            List<JsonNode> got = lines(run.resolve(journal + ".jsonl"));
            Set<String> ids = new HashSet<>();
            for (JsonNode r : got) assertTrue(ids.add(r.get("id").asText()), journal + " holds " + r.get("id") + " twice");
            // Trajectories carry every sampled token's logprob, so this is also the check that the rollouts replayed exactly.
            assertEquals(comparable(lines(whole.resolve(journal + ".jsonl"))), comparable(got), journal + ".jsonl");
        }
        for (String round : List.of("round-0001", "round-0002")) {
            float[] expected = ModelCheckpoint.load(whole.resolve("rounds").resolve(round)).model().params();
            float[] actual = ModelCheckpoint.load(run.resolve("rounds").resolve(round)).model().params();
            assertArrayEquals(expected, actual, round + "'s weights are bit-identical");
        }
    }

    private static List<JsonNode> comparable(List<JsonNode> records) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : records) out.add(withoutTiming(r));
        return out;
    }

    /** A process killed mid-call. */
    private static final class Killed extends RuntimeException {
        Killed(int call, int unit) {
            super("killed at unit " + unit + " of executor call " + call);
        }
    }

    /** The in-process executor, except that unit {@code unit} of call {@code call} dies. */
    private static final class Killing implements RolloutExecutor {
        private final RolloutExecutor inner = RolloutExecutor.inProcess(64);
        private final int call, unit;
        private int calls;

        Killing(int call, int unit) {
            this.call = call;
            this.unit = unit;
        }

        @Override
        public <T> List<T> runAll(List<Callable<T>> units) {
            if (calls++ != call) return inner.runAll(units);
            assertTrue(unit < units.size(), "call " + call + " has " + units.size() + " units");
            List<Callable<T>> dying = new ArrayList<>(units);
            dying.set(unit, () -> { throw new Killed(call, unit); });
            return inner.runAll(dying);
        }
    }
}
