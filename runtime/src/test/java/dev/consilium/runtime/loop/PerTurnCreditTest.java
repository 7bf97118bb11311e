package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.consilium.runtime.loop.LoopFixture.lines;
import static org.junit.jupiter.api.Assertions.*;

/** {@code "credit": "per-turn"}: each turn is rewarded by the verdict on the transcript up to it. */
class PerTurnCreditTest {
    @TempDir
    static Path dir;
    static Path run;

    @BeforeAll
    static void runOneRound() {
        LoopFixture fixture = LoopFixture.create(dir);
        run = dir.resolve("run");
        ExperimentRun.start(LoopFixture.parse(fixture.experiment(run).put("rounds", 1).put("credit", "per-turn")),
                LoopFixture.quiet()).run();
    }

    @Test
    void theSolversTurnIsRewardedForItsOwnAnswerAndTheRevisersForTheOutcome() {
        Map<String, JsonNode> trajectories = new HashMap<>();
        for (JsonNode t : lines(run.resolve("trajectories.jsonl"))) trajectories.put(t.get("id").asText(), t.get("trajectory"));
        int solverDiffers = 0;
        for (JsonNode r : lines(run.resolve("rewards.jsonl"))) {
            JsonNode t = trajectories.get(r.get("id").asText());
            String answer = t.get("task").get("metadata").get("answer").asText();
            JsonNode calls = t.get("calls"), turns = r.get("turns");
            assertEquals(2, turns.size(), r.toString());
            double solver = calls.get(0).get("output").asText().strip().equals(answer) ? 1 : 0;
            assertEquals(solver, turns.get(0).get("reward").asDouble(), "the solver's own answer: " + r);
            assertEquals(r.get("reward").asDouble(), turns.get(1).get("reward").asDouble(), "the last turn is the outcome: " + r);
            if (solver != r.get("reward").asDouble()) solverDiffers++;
        }
        assertTrue(solverDiffers > 0, "the scripted reviser sometimes changes the solver's answer");
    }

    @Test
    void eachTurnIsComparedWithTheSameTurnOfItsGroup() {
        List<JsonNode> rewards = lines(run.resolve("rewards.jsonl"));
        // 2 rollouts per task: within a task, turn k's advantages are +-1/sqrt(2) apart or both 0 (a tie)
        for (int i = 0; i < rewards.size(); i += 2) {
            for (int k = 0; k < 2; k++) {
                JsonNode a = rewards.get(i).get("turns").get(k), b = rewards.get(i + 1).get("turns").get(k);
                double ra = a.get("reward").asDouble(), rb = b.get("reward").asDouble();
                double aa = a.get("advantage").asDouble(), ab = b.get("advantage").asDouble();
                assertEquals(0, aa + ab, 1e-9, "group-relative: " + a + " " + b);
                assertEquals(ra == rb, aa == 0, "a tie carries no advantage: " + a + " " + b);
                if (ra > rb) assertTrue(aa > 0, a + " beat " + b);
            }
        }
    }

    @Test
    void theVerdictJournalKeepsEachTurnsVerdict() {
        for (JsonNode v : lines(run.resolve("verdicts.jsonl"))) {
            assertEquals(2, v.get("turns").size(), v.toString());
            assertEquals(v.get("combined"), v.get("turns").get(1), "the last turn's verdict is the outcome's: " + v);
        }
    }
}
