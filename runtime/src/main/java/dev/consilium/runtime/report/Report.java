package dev.consilium.runtime.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.runtime.journal.RunException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no script, no network) that shows what
 * a self-improvement run did, round by round. It is drawn from the run's metrics records, so regenerating it
 * from the run directory at any time gives the same page.
 *
 * <p>Metrics record fields read (absent ones leave gaps): {@code round}, {@code heldout_accuracy},
 * {@code heldout_correct}, {@code heldout_total}, {@code heldout_first_turn_accuracy} and {@code _correct} (and the
 * {@code heldout_sampled_} figures, where measured), {@code reward_mean}, {@code judge_agreement},
 * {@code abstain_rate}, {@code kl}, {@code entropy}, {@code expert_load} (max/mean per MoE layer),
 * {@code rollout_tokens_per_s}, {@code train_tokens_per_s}, {@code cost_by_agent}, {@code cost_by_model},
 * {@code probe_agreement}, {@code probe_agreement_by_kind}, {@code probes}, {@code rollout_true_accuracy},
 * {@code probe_estimated_accuracy}, {@code alarm} (the reasons a round raised the reward-hacking alarm), {@code judge_refresh} (the judge was
 * fine-tuned after the round: why, its agreement on held-back items before and after).
 */
public final class Report {
    /**
     * A trajectory shown in full, with what the judge said of it and what the truth is.
     *
     * @param correct whether its final answer matches the task's reference answer (the exact check the judge
     *                is measured against), or null where the run did not record it.
     */
    public record Example(String title, String transcript, String verdict, String reward, Boolean correct) {
        /** An example whose ground truth is unknown. */
        public Example(String title, String transcript, String verdict, String reward) {
            this(title, transcript, verdict, reward, null);
        }
    }

    public static final String FILE = "report.html";
    private static final String TEMP_PREFIX = "report", TEMP_SUFFIX = ".html.tmp";
    /** A file lock is per process; threads of one queue here instead of failing to take it twice. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private Report() {}

    /**
     * Writes {@code report.html} into {@code runDir} atomically (a reader never sees half a page): a temp file
     * {@code report*.html.tmp}, renamed over the page. Writers take turns on {@code report.html.lock} (an OS
     * lock, released if the process dies), and each first deletes the temp files it finds: under the lock they
     * are dead writers' (a kill mid-write), so a resumed run, or {@code consilium report}, leaves none behind.
     */
    public static Path write(Path runDir, String title, List<JsonNode> metrics, List<Example> examples) {
        Path file = runDir.resolve(FILE);
        String page = render(title, metrics, examples);
        IN_PROCESS.lock();
        try (FileChannel lock = FileChannel.open(runDir.resolve(FILE + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            lock.lock();
            deleteTempFiles(runDir);
            Path tmp = Files.createTempFile(runDir, TEMP_PREFIX, TEMP_SUFFIX);
            try {
                Files.writeString(tmp, page, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new RunException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            IN_PROCESS.unlock();
        }
        return file;
    }

    private static void deleteTempFiles(Path runDir) throws IOException {
        List<Path> stale;
        try (Stream<Path> s = Files.list(runDir)) {
            stale = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(TEMP_PREFIX) && n.endsWith(TEMP_SUFFIX) && Files.isRegularFile(p);
            }).toList();
        }
        for (Path p : stale) Files.deleteIfExists(p);
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
                .append(".note{color:#444;font-size:13px;max-width:940px}.ok{color:#2a7d2a}.bad{color:#c0392b}")
                .append("tr.alarm td{background:#fdecea}td.why{text-align:left;font-size:12px;max-width:520px}")
                .append("</style></head><body>");
        h.append("<h1>").append(Html.escape(title)).append("</h1>");
        h.append(summary(metrics));

        h.append("<h2>Learning</h2><div class=\"grid\">");
        List<LineChart.Series> accuracy = new ArrayList<>(List.of(series("greedy", metrics, rounds, "heldout_accuracy")));
        if (metrics.stream().anyMatch(m -> m.has("heldout_sampled_accuracy"))) {
            accuracy.add(series("sampled", metrics, rounds, "heldout_sampled_accuracy"));
        }
        // The first agent's answer alone, before later agents saw it: the gap to the lines above is what they add.
        if (metrics.stream().anyMatch(m -> m.has("heldout_first_turn_accuracy"))) {
            accuracy.add(series("greedy, first turn alone", metrics, rounds, "heldout_first_turn_accuracy"));
        }
        if (metrics.stream().anyMatch(m -> m.has("heldout_sampled_first_turn_accuracy"))) {
            accuracy.add(series("sampled, first turn alone", metrics, rounds, "heldout_sampled_first_turn_accuracy"));
        }
        h.append(LineChart.svg("Held-out accuracy", "exact match", accuracy, 0.0, null));
        // From zero, so a flat reward draws flat: an axis fitted to the data makes a 1e-6 wobble fill the chart.
        h.append(LineChart.svg("Training reward", "mean reward", List.of(series("reward", metrics, rounds, "reward_mean")), 0.0, null));
        h.append(LineChart.svg("Judge", "rate", List.of(series("agreement with truth", metrics, rounds, "judge_agreement"),
                series("abstain rate", metrics, rounds, "abstain_rate")), 0.0, 1.0));
        h.append(LineChart.svg("Policy drift", "nats", List.of(series("KL to reference", metrics, rounds, "kl"),
                series("entropy", metrics, rounds, "entropy")), 0.0, null));
        h.append("</div>").append(JUDGE_NOTE).append(truthTable(metrics)).append("<h2>Machine</h2><div class=\"grid\">");
        h.append(LineChart.svg("Expert load (max/mean per MoE layer)", "max/mean", expertLoad(metrics, rounds), 1.0, null));
        h.append(LineChart.svg("Throughput", "tokens/s", List.of(series("rollouts", metrics, rounds, "rollout_tokens_per_s"),
                series("training", metrics, rounds, "train_tokens_per_s")), 0.0, null));
        h.append("</div>");
        h.append(costs(metrics));

        h.append("<h2>Example trajectories</h2>");
        if (examples.isEmpty()) h.append("<p>No trajectories recorded yet.</p>");
        for (Example e : examples) {
            h.append("<h3>").append(Html.escape(e.title())).append("</h3><pre>").append(Html.escape(e.transcript()))
                    .append("</pre><p><b>Verdict:</b> ").append(Html.escape(e.verdict()))
                    .append(" &nbsp; <b>Reward:</b> ").append(Html.escape(e.reward()))
                    .append(" &nbsp; <b>Ground truth:</b> ").append(truth(e.correct())).append("</p>");
        }
        return h.append("</body></html>\n").toString();
    }

    /** What the judge chart's lines measure; "agreement with truth" means nothing without it. */
    private static final String JUDGE_NOTE = "<p class=\"note\"><b>Agreement with truth</b>: of a round's rollouts that the"
            + " (first) judge scored, the share where its verdict (a score of 0.5 or more counts as \"correct\") matches the"
            + " exact check of the final answer against the task's reference answer; 1 is a judge that is always right."
            + " <b>Abstain rate</b>: the share of rollouts whose reward was an abstention, left out of training rather than"
            + " counted as 0. The training reward is what the policy was trained on; held-out accuracy is the truth.</p>";

    /**
     * Per round, what the policy was trained on beside the truth: the training reward, the share of its rollouts
     * truly right (or the probes' estimate of it) and the judge's agreement on the gold probes, with the rounds
     * where the reward-hacking alarm fired marked and its reasons given. Absent when the run measured none of them.
     */
    private static String truthTable(List<JsonNode> metrics) {
        if (metrics.stream().noneMatch(m -> m.has("probe_agreement") || m.has("rollout_true_accuracy") || m.has("alarm")
                || m.has("judge_refresh"))) return "";
        int rounds = 0;
        for (JsonNode m : metrics) rounds = Math.max(rounds, m.path("round").asInt() + 1);
        StringBuilder t = new StringBuilder("<h2>Reward against the truth</h2><div class=\"grid\">");
        t.append(LineChart.svg("Reward, truth and probes", "rate", List.of(series("training reward", metrics, rounds, "reward_mean"),
                series("rollouts truly right", metrics, rounds, "rollout_true_accuracy"),
                series("truly right (probe estimate)", metrics, rounds, "probe_estimated_accuracy"),
                series("probe agreement", metrics, rounds, "probe_agreement")), 0.0, 1.0));
        t.append("</div><table><tr><th>round</th><th>training reward</th><th>rollouts truly right</th><th>probe agreement</th>"
                + "<th>agreement by kind</th><th style=\"text-align:left\">reward-hacking alarm</th></tr>");
        for (JsonNode m : metrics) {
            if (m.path("round").asInt() == 0) continue;
            boolean alarm = m.has("alarm");
            t.append(alarm ? "<tr class=\"alarm\">" : "<tr>").append("<td>").append(m.path("round").asInt()).append("</td><td>")
                    .append(rate(m, "reward_mean")).append("</td><td>")
                    .append(m.has("rollout_true_accuracy") ? rate(m, "rollout_true_accuracy")
                            : m.has("probe_estimated_accuracy") ? rate(m, "probe_estimated_accuracy") + " (est.)" : "n/a")
                    .append("</td><td>").append(rate(m, "probe_agreement"))
                    .append(m.has("probes") ? " of " + m.get("probes").asInt() : "").append("</td><td class=\"why\">");
            for (Iterator<Map.Entry<String, JsonNode>> it = m.path("probe_agreement_by_kind").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> k = it.next();
                t.append(Html.escape(k.getKey())).append(String.format(Locale.ROOT, " %.2f", k.getValue().asDouble()))
                        .append(it.hasNext() ? ", " : "");
            }
            t.append("</td><td class=\"why\">");
            if (alarm) {
                t.append("<b class=\"bad\">&#9888; ALARM</b> ");
                List<String> reasons = new ArrayList<>();
                for (JsonNode reason : m.get("alarm")) reasons.add(Html.escape(reason.asText()));
                t.append(String.join("; ", reasons)).append('.');
            } else {
                t.append("<span class=\"ok\">quiet</span>");
            }
            if (m.has("judge_refresh")) {
                JsonNode f = m.get("judge_refresh");
                t.append("<br><b>&#8635; judge refreshed</b> (").append(Html.escape(f.path("why").asText())).append("): agreement on ")
                        .append(f.path("held_back").asInt()).append(" held-back items ").append(rate(f, "agreement_before"))
                        .append(" &rarr; ").append(rate(f, "agreement_after")).append(", trained on ")
                        .append(f.path("trained_on").asInt()).append(" items; later rounds judge with it.");
            }
            t.append("</td></tr>");
        }
        return t.append("</table>").append(TRUTH_NOTE).toString();
    }

    private static final String TRUTH_NOTE = "<p class=\"note\"><b>Rollouts truly right</b>: the share of the round's"
            + " rollouts whose final answer passes the answer check against the task's reference. <b>Probe agreement</b>:"
            + " of the gold-labelled items mixed into the round's judging (judged exactly as rollouts are, so the judge"
            + " cannot tell them apart), the share where the (first) judge's verdict matches the known label. A training"
            + " reward far above the truth, or a judge that fails its probes, means the policy is being rewarded for"
            + " something other than being right: the reward-hacking alarm marks those rounds.</p>";

    private static String rate(JsonNode m, String field) {
        return m.path(field).isNumber() ? String.format(Locale.ROOT, "%.3f", m.get(field).asDouble()) : "n/a";
    }

    private static String truth(Boolean correct) {
        if (correct == null) return "not recorded";
        return correct ? "<span class=\"ok\">&#10003; the final answer matches the reference</span>"
                : "<span class=\"bad\">&#10007; the final answer does not match the reference</span>";
    }

    private static String summary(List<JsonNode> metrics) {
        if (metrics.isEmpty()) return "<p>No round has finished yet.</p>";
        JsonNode first = metrics.getFirst(), last = metrics.getLast();
        String sampled = first.has("heldout_sampled_accuracy") && last.has("heldout_sampled_accuracy")
                ? String.format(Locale.ROOT, " Sampled at the rollout temperature %s → %s.",
                        accuracy(first, "heldout_sampled"), accuracy(last, "heldout_sampled")) : "";
        List<String> alarmed = metrics.stream().filter(m -> m.has("alarm")).map(m -> m.path("round").asText()).toList();
        String alarm = alarmed.isEmpty() ? "" : "<p class=\"bad\"><b>&#9888; Reward-hacking alarm</b> in round"
                + (alarmed.size() > 1 ? "s " : " ") + String.join(", ", alarmed) + ": see <i>Reward against the truth</i>.</p>";
        String firstTurn = first.has("heldout_first_turn_accuracy") && last.has("heldout_first_turn_accuracy")
                ? String.format(Locale.ROOT, " The first turn alone (the first agent's answer), greedy, %s → %s.",
                        accuracy(first, "heldout_first_turn", "heldout"), accuracy(last, "heldout_first_turn", "heldout")) : "";
        return String.format(Locale.ROOT, "<p>Rounds %d to %d. Held-out accuracy, greedy, %s → %s.%s%s</p>",
                first.path("round").asInt(), last.path("round").asInt(), accuracy(first, "heldout"), accuracy(last, "heldout"),
                sampled, firstTurn) + alarm;
    }

    /** {@code prefix} is heldout or heldout_sampled: its _accuracy, _correct and _total fields. */
    private static String accuracy(JsonNode m, String prefix) {
        return accuracy(m, prefix, prefix);
    }

    /** {@code prefix}_accuracy and _correct, out of {@code of}_total. */
    private static String accuracy(JsonNode m, String prefix, String of) {
        if (!m.has(prefix + "_accuracy")) return "n/a";
        return String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100 * m.get(prefix + "_accuracy").asDouble(),
                m.path(prefix + "_correct").asInt(), m.path(of + "_total").asInt());
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

    /**
     * The run's costs by agent and by model; one sentence instead of two tables of zeros when nothing was
     * priced (every call to a built-in model, or to a model missing from the price file).
     */
    private static String costs(List<JsonNode> metrics) {
        Map<String, Double> byAgent = totals(metrics, "cost_by_agent"), byModel = totals(metrics, "cost_by_model");
        if (byAgent.isEmpty() && byModel.isEmpty()) return "";
        if (byModel.values().stream().allMatch(v -> v == 0) && byAgent.values().stream().allMatch(v -> v == 0)) {
            return "<h2>Cost</h2><p>No call cost anything: every model was built-in (it runs here, for free) or has no"
                    + " price in the price file (" + Html.escape(String.join(", ", byModel.keySet())) + ").</p>";
        }
        return costTable("Cost by agent", byAgent) + costTable("Cost by model", byModel);
    }

    /** Totals over the run: each round's record carries that round's costs. */
    private static Map<String, Double> totals(List<JsonNode> metrics, String field) {
        Map<String, Double> totals = new TreeMap<>();
        for (JsonNode m : metrics) {
            for (Iterator<Map.Entry<String, JsonNode>> it = m.path(field).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                totals.merge(e.getKey(), e.getValue().asDouble(), Double::sum);
            }
        }
        return totals;
    }

    private static String costTable(String title, Map<String, Double> totals) {
        if (totals.isEmpty()) return "";
        StringBuilder t = new StringBuilder("<h2>").append(Html.escape(title)).append("</h2><table><tr><th>name</th><th>USD</th></tr>");
        totals.forEach((k, v) -> t.append(String.format(Locale.ROOT, "<tr><td style=\"text-align:left\">%s</td><td>%.4f</td></tr>", Html.escape(k), v)));
        return t.append("</table>").toString();
    }
}
