package dev.consilium.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.runtime.loop.Experiment;
import dev.consilium.runtime.loop.ExperimentRun;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small experiment of the demo's own policy and tasks (2 rounds of GRPO, 4 tasks x 2 rollouts, 4 held-out
 * tasks greedy and sampled once, exact-match reward), and its journals in a form two runs can be compared in.
 */
final class RunFixture {
    static final List<String> JOURNALS = List.of("trajectories", "verdicts", "rewards", "preferences", "metrics");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private RunFixture() {}

    static Experiment experiment(Path out) {
        return Experiment.fromJson(node(out).toString(), "cluster test experiment");
    }

    private static ObjectNode node(Path out) {
        ObjectNode e = JSON.createObjectNode().put("name", "cluster-equivalence")
                .put("policy", ROOT.resolve("models/demo-policy").toString());
        e.putObject("workflow").put("type", "solver-reviser");
        e.putObject("tasks").put("train", ROOT.resolve("datasets/arithmetic/train.jsonl").toString())
                .put("heldout", ROOT.resolve("datasets/arithmetic/heldout.jsonl").toString()).put("heldout_limit", 4)
                .put("reader", "arithmetic");
        e.putArray("rewards").addObject().put("type", "exact_match").put("weight", 1.0);
        // a learning rate that moves the policy, so that round 2 runs on a checkpoint round 1 made
        e.putObject("algorithm").put("name", "grpo").put("lr", 1e-3);
        e.put("rounds", 2).put("tasks_per_round", 4).put("rollouts_per_task", 2).put("eval_samples", 1).put("seed", 3)
                .put("out", out.toString());
        return e;
    }

    /**
     * One round of {@link #experiment}, judged too by the pointwise judge {@code judge} of the providers file
     * {@code providers} (null: none) with {@code prompt} (null: the default), its weight beside the exact-match reward's.
     */
    static Experiment judged(Path out, String judge, Path providers, String prompt) {
        ObjectNode e = node(out);
        e.put("rounds", 1);
        if (providers != null) e.put("providers", providers.toString());
        ObjectNode j = e.putArray("judges").addObject().put("model", judge).put("weight", 1.0);
        if (prompt != null) j.put("prompt", prompt);
        return Experiment.fromJson(e.toString(), "cluster test experiment, judged");
    }

    /**
     * One round of {@link #experiment}, judged too by {@code judge} of the providers file {@code providers} as a group
     * judge ({@code "mode": "group"}: one call per task's rollouts); abstentions allowed, so that a judge leaving a
     * candidate unscored does not stop the round.
     */
    static Experiment groupJudged(Path out, String judge, Path providers) {
        ObjectNode e = node(out);
        e.put("rounds", 1).put("providers", providers.toString()).put("allow_abstaining_judges", true);
        e.putArray("judges").addObject().put("model", judge).put("mode", "group").put("weight", 1.0);
        return Experiment.fromJson(e.toString(), "cluster test experiment, group-judged");
    }

    static ExperimentRun start(Path out) {
        return ExperimentRun.start(experiment(out), new PrintStream(OutputStream.nullOutputStream()));
    }

    /** Each journal's records without what differs between two identical runs: wall-clock times, run ids. */
    static Map<String, List<JsonNode>> journals(Path run) {
        Map<String, List<JsonNode>> out = new java.util.LinkedHashMap<>();
        for (String journal : JOURNALS) {
            List<JsonNode> records = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(run.resolve(journal + ".jsonl"))) records.add(timeless(JSON.readTree(line)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.put(journal, records);
        }
        return out;
    }

    private static JsonNode timeless(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.properties().removeIf(f -> f.getKey().equals("seconds") || f.getKey().endsWith("_seconds") || f.getKey().endsWith("_tokens_per_s")
                    || f.getKey().endsWith("Micros") || f.getKey().equals("runId"));
        }
        for (JsonNode child : node) timeless(child);
        return node;
    }
}
