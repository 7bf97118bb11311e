package dev.consilium.runtime.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.runtime.journal.RunException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no script, no network) that shows what
 * a self-improvement run did, round by round. It is drawn from the run's metrics records, so regenerating it
 * from the run directory at any time gives the same page.
 *
 * <p>Metrics record fields read (absent ones leave gaps): {@code round}, {@code heldout_accuracy},
 * {@code heldout_correct}, {@code heldout_total}, {@code reward_mean}, {@code judge_agreement},
 * {@code abstain_rate}, {@code kl}, {@code entropy}, {@code expert_load} (max/mean per MoE layer),
 * {@code rollout_tokens_per_s}, {@code train_tokens_per_s}, {@code cost_by_agent}, {@code cost_by_model}.
 */
public final class Report {
    /** A trajectory shown in full, with what the judge said of it. */
    public record Example(String title, String transcript, String verdict, String reward) {}

    private Report() {}

    /** Writes {@code report.html} into {@code runDir} atomically (a reader never sees half a page). */
    public static Path write(Path runDir, String title, List<JsonNode> metrics, List<Example> examples) {
        Path file = runDir.resolve("report.html");
        try {
            Path tmp = Files.createTempFile(runDir, "report", ".html.tmp");
            Files.writeString(tmp, render(title, metrics, examples), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RunException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    public static String render(String title, List<JsonNode> metrics, List<Example> examples) {
        int rounds = 0;
        for (JsonNode m : metrics) rounds = Math.max(rounds, m.path("round").asInt() + 1);
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(Html.escape(title)).append("</title><style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}")
                .append("h1{font-size:22px}h2{font-size:17px;margin-top:28px}.grid{display:flex;flex-wrap:wrap;gap:12px}")
                .append("svg{border:1px solid #ddd;background:#fff}.t{font:600 13px sans-serif}.a{font:11px sans-serif;fill:#555}")
                .append(".g{stroke:#eee}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}")
                .append("th{background:#f5f5f5}pre{background:#f7f7f7;padding:8px;white-space:pre-wrap;border:1px solid #e5e5e5}")
                .append("</style></head><body>");
        h.append("<h1>").append(Html.escape(title)).append("</h1>");
        h.append(summary(metrics));

        h.append("<h2>Learning</h2><div class=\"grid\">");
        List<LineChart.Series> accuracy = new ArrayList<>(List.of(series("greedy", metrics, rounds, "heldout_accuracy")));
        if (metrics.stream().anyMatch(m -> m.has("heldout_sampled_accuracy"))) {
            accuracy.add(series("sampled", metrics, rounds, "heldout_sampled_accuracy"));
        }
        h.append(LineChart.svg("Held-out accuracy", "exact match", accuracy, 0.0, null));
        h.append(LineChart.svg("Training reward", "mean reward", List.of(series("reward", metrics, rounds, "reward_mean")), null, null));
        h.append(LineChart.svg("Judge", "rate", List.of(series("agreement with truth", metrics, rounds, "judge_agreement"),
                series("abstain rate", metrics, rounds, "abstain_rate")), 0.0, 1.0));
        h.append(LineChart.svg("Policy drift", "nats", List.of(series("KL to reference", metrics, rounds, "kl"),
                series("entropy", metrics, rounds, "entropy")), 0.0, null));
        h.append("</div><h2>Machine</h2><div class=\"grid\">");
        h.append(LineChart.svg("Expert load (max/mean per MoE layer)", "max/mean", expertLoad(metrics, rounds), 1.0, null));
        h.append(LineChart.svg("Throughput", "tokens/s", List.of(series("rollouts", metrics, rounds, "rollout_tokens_per_s"),
                series("training", metrics, rounds, "train_tokens_per_s")), 0.0, null));
        h.append("</div>");
        h.append(costTable("Cost by agent", metrics, "cost_by_agent"));
        h.append(costTable("Cost by model", metrics, "cost_by_model"));

        h.append("<h2>Example trajectories</h2>");
        if (examples.isEmpty()) h.append("<p>No trajectories recorded yet.</p>");
        for (Example e : examples) {
            h.append("<h3>").append(Html.escape(e.title())).append("</h3><pre>").append(Html.escape(e.transcript()))
                    .append("</pre><p><b>Verdict:</b> ").append(Html.escape(e.verdict()))
                    .append(" &nbsp; <b>Reward:</b> ").append(Html.escape(e.reward())).append("</p>");
        }
        return h.append("</body></html>\n").toString();
    }

    private static String summary(List<JsonNode> metrics) {
        if (metrics.isEmpty()) return "<p>No round has finished yet.</p>";
        JsonNode first = metrics.getFirst(), last = metrics.getLast();
        String sampled = first.has("heldout_sampled_accuracy") && last.has("heldout_sampled_accuracy")
                ? String.format(Locale.ROOT, " Sampled at the rollout temperature %s → %s.",
                        accuracy(first, "heldout_sampled"), accuracy(last, "heldout_sampled")) : "";
        return String.format(Locale.ROOT, "<p>Rounds %d to %d. Held-out accuracy, greedy, %s → %s.%s</p>",
                first.path("round").asInt(), last.path("round").asInt(), accuracy(first, "heldout"), accuracy(last, "heldout"), sampled);
    }

    /** {@code prefix} is heldout or heldout_sampled: its _accuracy, _correct and _total fields. */
    private static String accuracy(JsonNode m, String prefix) {
        if (!m.has(prefix + "_accuracy")) return "n/a";
        return String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100 * m.get(prefix + "_accuracy").asDouble(),
                m.path(prefix + "_correct").asInt(), m.path(prefix + "_total").asInt());
    }

    private static LineChart.Series series(String name, List<JsonNode> metrics, int rounds, String field) {
        double[] v = new double[rounds];
        java.util.Arrays.fill(v, Double.NaN);
        for (JsonNode m : metrics) {
            JsonNode x = m.get(field);
            if (x != null && x.isNumber()) v[m.path("round").asInt()] = x.asDouble();
        }
        return new LineChart.Series(name, v);
    }

    private static List<LineChart.Series> expertLoad(List<JsonNode> metrics, int rounds) {
        int layers = 0;
        for (JsonNode m : metrics) layers = Math.max(layers, m.path("expert_load").size());
        List<LineChart.Series> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            double[] v = new double[rounds];
            java.util.Arrays.fill(v, Double.NaN);
            for (JsonNode m : metrics) {
                JsonNode x = m.path("expert_load").get(l);
                if (x != null && x.isNumber()) v[m.path("round").asInt()] = x.asDouble();
            }
            out.add(new LineChart.Series("MoE layer " + (l + 1), v));
        }
        return out;
    }

    /** Totals over the run: each round's record carries that round's costs. */
    private static String costTable(String title, List<JsonNode> metrics, String field) {
        Map<String, Double> totals = new TreeMap<>();
        for (JsonNode m : metrics) {
            for (Iterator<Map.Entry<String, JsonNode>> it = m.path(field).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                totals.merge(e.getKey(), e.getValue().asDouble(), Double::sum);
            }
        }
        if (totals.isEmpty()) return "";
        StringBuilder t = new StringBuilder("<h2>").append(Html.escape(title)).append("</h2><table><tr><th>name</th><th>USD</th></tr>");
        totals.forEach((k, v) -> t.append(String.format(Locale.ROOT, "<tr><td style=\"text-align:left\">%s</td><td>%.4f</td></tr>", Html.escape(k), v)));
        return t.append("</table>").toString();
    }
}
