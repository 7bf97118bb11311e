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
    void theFirstTurnAloneIsDrawnBesideTheTeamsFinalAnswerAndSummarized() throws Exception {
        List<JsonNode> rounds = List.of(round(0, 0.10), round(1, 0.15));
        ((ObjectNode) rounds.get(0)).put("heldout_first_turn_accuracy", 0.08).put("heldout_first_turn_correct", 16);
        ((ObjectNode) rounds.get(1)).put("heldout_first_turn_accuracy", 0.12).put("heldout_first_turn_correct", 24);
        String html = Report.render("demo", rounds, List.of());
        assertEquals(2, chart(html, "Held-out accuracy").split("greedy, first turn alone, round ").length - 1);
        assertEquals(2, html.split("greedy, round ").length - 1, "the team's curve stays as it was");
        assertTrue(html.contains("The first turn alone (the first agent's answer), greedy, 8.0% (16/200) → 12.0% (24/200)."), html);
    }

    @Test
    void anEmptyRunSaysSoInsteadOfDrawingNothing() {
        String html = Report.render("x", List.of(), List.of());
        assertTrue(html.contains("No round has finished yet."));
        assertTrue(html.contains("No trajectories recorded yet."));
    }

    /** The SVG of the chart titled {@code title} in {@code html}. */
    private static String chart(String html, String title) {
        int from = html.indexOf("aria-label=\"" + title + "\"");
        assertTrue(from >= 0, title + " missing");
        return html.substring(from, html.indexOf("</svg>", from));
    }

    private static List<Double> values(String svg, String attribute) {
        List<Double> out = new java.util.ArrayList<>();
        var m = java.util.regex.Pattern.compile(attribute + "=\"([-0-9.]+)\"").matcher(svg);
        while (m.find()) out.add(Double.parseDouble(m.group(1)));
        return out;
    }

    private static List<JsonNode> rounds(String extra) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (int r = 0; r < 5; r++) {
            out.add(JSON.readTree("{\"round\":" + r + ",\"heldout_accuracy\":0.2,\"reward_mean\":" + (r == 3 ? 0.968698 : 0.968700)
                    + ",\"entropy\":1.5" + extra + "}"));
        }
        return out;
    }

    @Test
    void aFlatTrainingRewardDrawsFlatOnAnAxisFromZero() throws Exception {
        String svg = chart(Report.render("flat", rounds(""), List.of()), "Training reward");

        List<Double> ys = values(svg, "cy");
        assertEquals(5, ys.size());
        assertTrue(ys.stream().mapToDouble(Double::doubleValue).max().orElseThrow()
                - ys.stream().mapToDouble(Double::doubleValue).min().orElseThrow() < 1, "a 2e-6 change moves a point under a pixel: " + ys);
        assertTrue(svg.contains("text-anchor=\"end\">0.00</text>"), "the axis starts at zero: " + svg);
    }

    @Test
    void axisTicksAreRoundNumbers() throws Exception {
        String svg = chart(Report.render("ticks", List.of(round(0, 0.15), round(1, 0.2), round(2, 0.3)), List.of()), "Held-out accuracy");

        List<String> ticks = new java.util.ArrayList<>();
        var m = java.util.regex.Pattern.compile("text-anchor=\"end\">([^<]+)</text>").matcher(svg);
        while (m.find()) ticks.add(m.group(1));
        assertEquals(List.of("0.0", "0.1", "0.2", "0.3"), ticks);
        assertEquals(List.of("0.05", "0.1", "0.2", "0.5", "1.0", "2.5", "200.0"), java.util.stream.Stream.of(0.04, 0.1, 0.11, 0.3, 0.9, 2.2, 130.0)
                .map(LineChart::niceStep).map(x -> String.valueOf((double) Math.round(x * 1e6) / 1e6)).toList());
    }

    @Test
    void aSeriesWithNoValuesStaysOutOfTheLegend() throws Exception {
        String drift = chart(Report.render("beta 0", rounds(""), List.of()), "Policy drift");
        assertFalse(drift.contains("KL to reference"), drift);
        assertTrue(drift.contains("entropy"), drift);

        String withKl = chart(Report.render("beta 0.04", rounds(",\"kl\":0.01"), List.of()), "Policy drift");
        assertTrue(withKl.contains("KL to reference"), withKl);
    }

    @Test
    void examplesCarryTheirGroundTruthBesideTheVerdict() {
        String html = Report.render("truth", List.of(), List.of(
                new Report.Example("t1", "solver: 42", "Score: 1", "1.000", true),
                new Report.Example("t2", "solver: 41", "Score: 1", "1.000", false),
                new Report.Example("t3", "solver: ?", "Score: 0", "0.000")));
        assertTrue(html.contains("<b>Ground truth:</b> <span class=\"ok\">&#10003; the final answer matches the reference</span>"), html);
        assertTrue(html.contains("<b>Ground truth:</b> <span class=\"bad\">&#10007; the final answer does not match the reference</span>"), html);
        assertTrue(html.contains("<b>Ground truth:</b> not recorded"), html);
    }

    @Test
    void agreementWithTruthIsExplainedUnderTheCharts() throws Exception {
        String html = Report.render("note", rounds(""), List.of());
        assertTrue(html.contains("<b>Agreement with truth</b>: of a round's rollouts that the (first) judge scored"), html);
    }

    @Test
    void aRunThatCostNothingSaysSoInsteadOfTablesOfZeros() throws Exception {
        String html = Report.render("free", rounds(",\"cost_by_agent\":{\"solver\":0.0},\"cost_by_model\":{\"builtin/models/hedging-policy\":0.0}"), List.of());
        assertFalse(html.contains("<table"), html);
        assertTrue(html.contains("No call cost anything: every model was built-in (it runs here, for free) or has no price"
                + " in the price file (builtin/models/hedging-policy)."), html);
    }

    @Test
    void aTempFileLeftByAKilledWriterIsGoneAfterTheNextWrite(@TempDir Path dir) throws Exception {
        Path orphan = Files.createFile(dir.resolve("report8461203.html.tmp"));

        Report.write(dir, "resumed", List.of(round(0, 0.1)), List.of());

        assertFalse(Files.exists(orphan), "the dead writer's temp file is removed");
        try (var files = Files.list(dir)) {
            assertEquals(List.of("report.html", "report.html.lock"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
