package dev.consilium.runtime.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        int heldoutPoints = html.split("held-out, round ").length - 1;
        assertEquals(3, heldoutPoints);
        assertTrue(html.contains("MoE layer 2"));
        assertTrue(html.contains("openai/gpt-4o-mini</td><td>0.7500</td>"), "cost totals sum the rounds");
    }

    @Test
    void anEmptyRunSaysSoInsteadOfDrawingNothing() {
        String html = Report.render("x", List.of(), List.of());
        assertTrue(html.contains("No round has finished yet."));
        assertTrue(html.contains("No trajectories recorded yet."));
    }
}
