package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.runtime.journal.RunException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.consilium.runtime.loop.LoopFixture.lines;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A run directory that stops taking writes. File permissions stop nothing for root, so a write is made to fail
 * the way it fails for anyone: a directory already stands where the file must go.
 */
class UnwritableRunTest {
    @TempDir
    static Path dir;
    static LoopFixture fixture;

    @BeforeAll
    static void create() {
        fixture = LoopFixture.create(dir);
    }

    @Test
    void aCheckpointThatCannotBeWrittenStopsTheRunNamingItAndTheLastRoundStaysIntact() throws IOException {
        Path run = dir.resolve("checkpoint");
        Path blocked = Files.createDirectories(run.resolve("rounds").resolve("round-0002.lock").resolve("in-the-way"));
        ExperimentRun r = ExperimentRun.start(LoopFixture.parse(fixture.experiment(run)), LoopFixture.quiet());

        RunException e = assertThrows(RunException.class, r::run);
        assertTrue(e.getMessage().contains(run.resolve("rounds").resolve("round-0002").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("round 1 is intact: resume with --resume " + run), e.getMessage());
        assertNotNull(ModelCheckpoint.load(run.resolve("rounds").resolve("round-0001")).trainingState());
        assertEquals(List.of(0, 1), rounds(run));

        // Once the way is clear the run resumes, and round 2's records, journaled before the failure, stay single.
        Files.delete(blocked);
        Files.delete(blocked.getParent());
        ExperimentRun.resume(run, LoopFixture.quiet()).run();
        assertEquals(List.of(0, 1, 2), rounds(run));
        assertEachIdOnce(run, "trajectories", 24);
        assertEachIdOnce(run, "rewards", 24);
    }

    @Test
    void aJournalThatCannotBeOpenedOnResumingIsAnErrorNamingIt() throws IOException {
        Path run = dir.resolve("journal");
        ExperimentRun r = ExperimentRun.start(LoopFixture.parse(fixture.experiment(run)), LoopFixture.quiet())
                .withExecutor(new KillingExecutor(4, 0));
        assertThrows(KillingExecutor.Killed.class, r::run);
        Path verdicts = run.resolve("verdicts.jsonl");
        Files.move(verdicts, run.resolve("verdicts.jsonl.moved"));
        Files.createDirectories(verdicts.resolve("in-the-way"));

        RunException e = assertThrows(RunException.class, () -> ExperimentRun.resume(run, LoopFixture.quiet()).run());
        assertTrue(e.getMessage().contains("cannot open journal " + verdicts), e.getMessage());
        assertNotNull(ModelCheckpoint.load(run.resolve("rounds").resolve("round-0001")).trainingState());
        assertEquals(List.of(0, 1), rounds(run));
    }

    @Test
    void aReportThatCannotBeWrittenIsAnErrorNamingIt() throws IOException {
        Path run = dir.resolve("report");
        Files.createDirectories(run.resolve("report.html").resolve("in-the-way"));
        RunException e = assertThrows(RunException.class,
                () -> ExperimentRun.start(LoopFixture.parse(fixture.experiment(run)), LoopFixture.quiet()).run());
        assertTrue(e.getMessage().contains("cannot write " + run.resolve("report.html")), e.getMessage());
        assertEquals(List.of(0), rounds(run), "the starting policy's measurement was recorded before the report");
    }

    private static List<Integer> rounds(Path run) {
        return lines(run.resolve("metrics.jsonl")).stream().map(m -> m.get("round").asInt()).toList();
    }

    private static void assertEachIdOnce(Path run, String journal, int expected) {
        List<JsonNode> records = lines(run.resolve(journal + ".jsonl"));
        Set<String> ids = new HashSet<>();
        for (JsonNode record : records) assertTrue(ids.add(record.get("id").asText()), journal + " repeats " + record.get("id"));
        assertEquals(expected, records.size(), journal);
    }
}
