package dev.consilium.runtime.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode round(int r, double acc) throws Exception {
        return JSON.readTree("{\"id\":\"round-" + r + "\",\"round\":" + r + ",\"heldout_accuracy\":" + acc
                + ",\"heldout_correct\":" + (int) (acc * 200) + ",\"heldout_total\":200,\"reward_mean\":0.5,"
                + "\"expert_load\":[1.1,1.2],\"cost_by_model\":{\"builtin/judge\":0.0,\"openai/gpt-4o-mini\":0.25}}");
    }

    @Test
    void thePageIsSelfContainedAndDrawsOnePointPerRound(@TempDir Path dir) throws Exception {
        Path file = Report.write(dir, "demo", List.of(round(0, 0.10), round(1, 0.15), round(2, 0.20)),
                List.of(new Report.Example("task 1", "solver: <script>alert(1)</script>", "correct", "1.0")));
        String html = Files.readString(file);
        assertTrue(html.contains("10.0% (20/200) → 20.0% (40/200)"), html);
        assertFalse(html.contains("<script"), "untrusted transcripts are escaped");
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "nothing is fetched from the network");
        assertEquals(3, html.split("greedy, round ").length - 1);
        assertEquals(0, html.split("sampled, round ").length - 1, "no sampled evaluation, no sampled curve");
        assertTrue(html.contains("MoE layer 2"));
        assertTrue(html.contains("openai/gpt-4o-mini</td><td>0.7500</td>"), "cost totals sum the rounds");
    }

    @Test
    void aSampledEvaluationIsDrawnBesideTheGreedyOneAndSummarized() throws Exception {
        List<JsonNode> rounds = List.of(round(0, 0.10), round(1, 0.15));
        ((ObjectNode) rounds.get(0)).put("heldout_sampled_accuracy", 0.05)
                .put("heldout_sampled_correct", 40).put("heldout_sampled_total", 800);
        ((ObjectNode) rounds.get(1)).put("heldout_sampled_accuracy", 0.25)
                .put("heldout_sampled_correct", 200).put("heldout_sampled_total", 800);
        String html = Report.render("demo", rounds, List.of());
        assertEquals(2, html.split("sampled, round ").length - 1);
        assertTrue(html.contains("Sampled at the rollout temperature 5.0% (40/800) → 25.0% (200/800)"), html);
    }

    @Test
    void anEmptyRunSaysSoInsteadOfDrawingNothing() {
        String html = Report.render("x", List.of(), List.of());
        assertTrue(html.contains("No round has finished yet."));
        assertTrue(html.contains("No trajectories recorded yet."));
    }
}
