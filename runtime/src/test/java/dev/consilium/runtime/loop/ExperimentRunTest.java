package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.runtime.journal.RunException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.consilium.runtime.loop.LoopFixture.lines;
import static org.junit.jupiter.api.Assertions.*;

class ExperimentRunTest {
    @TempDir
    static Path dir;
    static LoopFixture fixture;
    static Path run;
    static ExperimentRun.Result result;

    @BeforeAll
    static void runOnce() {
        fixture = LoopFixture.create(dir);
        run = dir.resolve("run");
        result = ExperimentRun.start(LoopFixture.parse(fixture.experiment(run)), LoopFixture.quiet()).run();
    }

    @Test
    void everyRoundTrainsOnItsRolloutsAndIsMeasuredOnTheHeldOutTasks() {
        List<JsonNode> metrics = lines(run.resolve("metrics.jsonl"));
        assertEquals(List.of(0, 1, 2), metrics.stream().map(m -> m.get("round").asInt()).toList());
        for (JsonNode m : metrics) {
            assertEquals(6, m.get("heldout_total").asInt(), m.toString());
            assertTrue(m.get("heldout_accuracy").isNumber(), m.toString());
        }
        for (JsonNode m : metrics.subList(1, 3)) {
            assertTrue(m.get("loss").isNumber(), m.toString());
            assertTrue(m.get("trained_samples").asInt() > 0, "a group with a right and a wrong answer trains: " + m);
            assertTrue(m.get("reward_mean").asDouble() > 0 && m.get("reward_mean").asDouble() < 1, m.toString());
            assertEquals(0.0, m.get("abstain_rate").asDouble(), m.toString());
            assertFalse(m.has("judge_agreement"), "no judge, no agreement: " + m);
            JsonNode step = m.get("steps").get(0);
            assertEquals(1, m.get("steps").size(), "one minibatch, one step: " + m);
            for (String f : List.of("grad_norm", "lr", "loss", "entropy", "ratio", "clip_fraction")) {
                assertTrue(step.get(f).isNumber(), "each step records its " + f + ": " + m);
            }
            assertTrue(step.get("grad_norm").asDouble() > 0, m.toString());
            assertEquals(1.0, step.get("ratio").asDouble(), 1e-6, "one step a round is on-policy: " + m);
        }
        assertEquals(metrics.getFirst(), result.before());
        assertEquals(metrics.getLast(), result.after());
    }

    @Test
    void theJournalsHoldEveryRolloutOnceAndTheRoundsAreCheckpointed() {
        int perRound = 6 * 2;
        for (String journal : List.of("trajectories", "verdicts", "rewards")) {
            List<JsonNode> records = lines(run.resolve(journal + ".jsonl"));
            assertEquals(2 * perRound, records.size(), journal);
            Set<String> ids = new HashSet<>();
            for (JsonNode r : records) assertTrue(ids.add(r.get("id").asText()), journal + " repeats " + r.get("id"));
        }
        for (JsonNode r : lines(run.resolve("rewards.jsonl"))) {
            double reward = r.get("reward").asDouble();
            assertTrue(reward == 0 || reward == 1, "exact match is all or nothing: " + r);
        }
        for (int round = 1; round <= 2; round++) {
            Path checkpoint = run.resolve("rounds").resolve("round-000" + round);
            ModelCheckpoint c = ModelCheckpoint.load(checkpoint);
            assertNotNull(c.trainingState(), "a round's checkpoint carries the optimizer state to resume from");
        }
        assertTrue(Files.isRegularFile(run.resolve("experiment.json")));
        String html = assertDoesNotThrow(() -> Files.readString(result.report()));
        assertTrue(html.contains("Held-out accuracy") && html.contains("<svg"), "the report draws the curves");
        assertFalse(html.contains("<script") || html.contains("<link") || html.matches("(?s).*(src|href)=\"https?:.*"),
                "the report is self-contained");
    }

    @Test
    void preferencePairsLoadAsJsonlWithPromptChosenAndRejected() {
        List<JsonNode> pairs = lines(run.resolve("preferences.jsonl"));
        assertFalse(pairs.isEmpty(), "a group with a right and a wrong answer gives a pair");
        Set<String> ids = new HashSet<>();
        for (JsonNode p : pairs) {
            assertTrue(ids.add(p.get("id").asText()), "one pair per task and round: " + p);
            for (String field : List.of("prompt", "chosen", "rejected")) {
                assertTrue(p.get(field).isTextual() && !p.get(field).asText().isEmpty(), field + " in " + p);
            }
            assertTrue(p.get("prompt").asText().startsWith("What is "), p.toString());
            assertNotEquals(p.get("chosen"), p.get("rejected"), "the scripted solver answers 5 or 7: " + p);
        }
    }

    @Test
    void startingAgainInARunDirectoryIsRefusedAndPointsToResume() {
        RunException e = assertThrows(RunException.class,
                () -> ExperimentRun.start(LoopFixture.parse(fixture.experiment(run)), LoopFixture.quiet()));
        assertTrue(e.getMessage().contains("--resume " + run), e.getMessage());
    }
}
