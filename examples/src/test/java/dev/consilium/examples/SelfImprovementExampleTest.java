package dev.consilium.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The self-improvement example runs as shipped: the built-in policy, our task, our reward, our workflow. */
class SelfImprovementExampleTest {

    @Test
    void trainsTheShippedPolicyOnItsOwnTaskAndReward(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        long started = System.nanoTime();
        SelfImprovementExample.main(new String[] {Path.of("..", "models", "demo-policy").toString(), out.toString()});
        assertTrue((System.nanoTime() - started) / 1e9 < 120, "the example runs in under two minutes");

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) metrics.add(json.readTree(line));
        assertEquals(3, metrics.size(), "the starting policy and two rounds");
        assertEquals(16, metrics.getFirst().get("heldout_total").asInt());
        JsonNode last = metrics.getLast();
        assertTrue(last.has("reward_mean") && last.get("trained_samples").asInt() > 0, "our reward scored and trained: " + last);

        JsonNode trajectory = json.readTree(Files.readAllLines(out.resolve("trajectories.jsonl")).getFirst()).get("trajectory");
        assertEquals("sayer", trajectory.get("calls").get(0).get("agent").asText(), "our workflow ran the rollouts");
        assertTrue(trajectory.get("task").get("input").asText().startsWith("Say a number above "), "on our task");
        JsonNode verdict = json.readTree(Files.readAllLines(out.resolve("verdicts.jsonl")).getFirst());
        assertTrue(verdict.get("combined").get("judge").asText().contains("above-bound"), "scored by our reward: " + verdict);
    }
}
