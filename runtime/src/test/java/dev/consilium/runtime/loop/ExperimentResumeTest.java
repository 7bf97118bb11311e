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

import static dev.consilium.runtime.loop.LoopFixture.lines;
import static dev.consilium.runtime.loop.LoopFixture.withoutTiming;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The done-when: killing a run at any moment and resuming it gives the same final metrics as a run
 * that was never interrupted, with every journal record once. A kill is an exception thrown out of the
 * executor ({@link KillingExecutor}) at a chosen unit of a chosen call, so it lands with the other units in flight.
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

    /** The last round is journaled and checkpointed; the kill comes while its report is being written. */
    @Test
    void killedWhileWritingTheLastReportTheResumeRedrawsItAndRemovesTheTempFile() throws IOException {
        Path run = dir.resolve("report-cut");
        ExperimentRun.start(LoopFixture.parse(fixture.experiment(run)), LoopFixture.quiet()).run();
        Files.writeString(run.resolve("report.html"), "the page of the round before");
        Path orphan = Files.createFile(run.resolve("report5150.html.tmp"));

        ExperimentRun.resume(run, LoopFixture.quiet()).run();

        assertFalse(Files.exists(orphan), "the killed writer's temp file is gone");
        assertTrue(Files.readString(run.resolve("report.html")).contains("Rounds 0 to 2."), "the last round is drawn");
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
        ExperimentRun resumed = ExperimentRun.resume(run, LoopFixture.quiet()).withExecutor(new KillingExecutor(0, 3));
        assertThrows(KillingExecutor.Killed.class, resumed::run);
        assertResumesAsIfUninterrupted(run);
    }

    /**
     * A run that refreshes its built-in judge every round (the registered trainer, a few steps), killed while judging
     * round 2 and resumed from its directory as {@code consilium run --resume} does: round 2 is judged by the judge
     * round 1's refresh made, and round 2's refresh starts from it, so every journal and both refreshed judges come
     * out as in the uninterrupted run.
     */
    @Test
    void aRunThatRefreshesItsJudgeResumesWithTheJudgeItHadReached() throws IOException {
        Path judge = dir.resolve("refresh-judge");
        ModelCheckpoint.save(judge, new dev.consilium.moe.model.DeepSeekV3Model(LoopFixture.config(1024), 9),
                ModelCheckpoint.load(fixture.policy()).tokenizer(), null);
        Path gold = dir.resolve("refresh-gold.jsonl");
        dev.consilium.rewards.calibration.GoldSet.write(gold, dev.consilium.rewards.calibration.GoldSet
                .read(Path.of("..", "datasets", "judge", "arithmetic.jsonl")).stream().filter(g -> !g.isPairwise()).limit(12).toList());
        Path refreshWhole = dir.resolve("refresh-whole"), killed = dir.resolve("refresh-killed");
        ExperimentRun.start(LoopFixture.parse(refreshing(refreshWhole, judge, gold)), LoopFixture.quiet()).run();
        // Calls: round 0's evaluation; round 1's rollouts, judging, evaluation, the refresh's two measurements; round 2's
        // rollouts, then its judging (call 7).
        ExperimentRun r = ExperimentRun.start(LoopFixture.parse(refreshing(killed, judge, gold)), LoopFixture.quiet())
                .withExecutor(new KillingExecutor(7, 2));
        assertThrows(KillingExecutor.Killed.class, r::run);
        assertTrue(Files.isDirectory(killed.resolve("judges").resolve("round-0001")), "round 1's refresh was kept");

        ExperimentRun.resume(killed, LoopFixture.quiet()).run();
        for (String journal : List.of("verdicts", "judge_refresh", "metrics")) {
            assertEquals(comparable(lines(refreshWhole.resolve(journal + ".jsonl"))), comparable(lines(killed.resolve(journal + ".jsonl"))),
                    journal + ".jsonl");
        }
        assertEquals("judges/round-0001", lines(killed.resolve("judge_refresh.jsonl")).get(1).get("from").asText());
        for (String round : List.of("round-0001", "round-0002")) {
            assertArrayEquals(ModelCheckpoint.load(refreshWhole.resolve("judges").resolve(round)).model().params(),
                    ModelCheckpoint.load(killed.resolve("judges").resolve(round)).model().params(), round + "'s judge");
        }
    }

    /** The fixture's experiment with a built-in arithmetic judge refreshed every round for 2 steps. */
    private static com.fasterxml.jackson.databind.node.ObjectNode refreshing(Path out, Path judge, Path gold) {
        var e = fixture.experiment(out).put("allow_abstaining_judges", true);   // an untrained judge writes no verdict
        e.putArray("judges").addObject().put("model", "builtin/" + judge).put("prompt", "arithmetic-judge").put("weight", 1.0);
        e.putObject("judge_refresh").put("every", 1).put("steps", 2).put("batch_size", 1).put("gold", gold.toString())
                .put("gold_per_refresh", 4).put("held_back", 2);
        return e;
    }

    private static Path killedAt(String name, int call, int unit) {
        Path run = dir.resolve(name);
        ExperimentRun r = ExperimentRun.start(LoopFixture.parse(fixture.experiment(run)), LoopFixture.quiet())
                .withExecutor(new KillingExecutor(call, unit));
        assertThrows(KillingExecutor.Killed.class, r::run);
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
}
