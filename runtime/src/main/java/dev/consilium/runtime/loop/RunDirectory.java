package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.checkpoint.TrainingState;
import dev.consilium.runtime.journal.Journal;
import dev.consilium.runtime.journal.RunException;
import dev.consilium.runtime.report.Report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A run's directory and everything in it:
 * <pre>
 *   experiment.json                   the experiment as resolved
 *   trajectories.jsonl verdicts.jsonl rewards.jsonl preferences.jsonl metrics.jsonl   append-only journals
 *   probes.jsonl alarms.jsonl         the judges' verdicts on gold probes; reward-hacking alarms (both may stay empty)
 *   rounds/round-NNNN/                the policy after round N (weights, tokenizer, optimizer state)
 *   report.html                       regenerated every round
 * </pre>
 * A round is done when its metrics record is on disk, which is written after its checkpoint and the other
 * journals' records. A directory whose run never finished its first evaluation holds a failed start: starting
 * there again replaces it.
 */
final class RunDirectory implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String EXPERIMENT = "experiment.json";
    private static final List<String> JOURNALS = List.of("trajectories.jsonl", "verdicts.jsonl", "rewards.jsonl",
            "preferences.jsonl", "metrics.jsonl", "probes.jsonl", "alarms.jsonl", "judge_refresh.jsonl");

    private final Path dir;
    private final String title;
    private final Journal trajectories, verdicts, rewards, preferences, metrics, probes, alarms, refreshes;

    private RunDirectory(Path dir, String title) {
        this.dir = dir;
        this.title = title;
        this.trajectories = Journal.open(dir.resolve("trajectories.jsonl"));
        this.verdicts = Journal.open(dir.resolve("verdicts.jsonl"));
        this.rewards = Journal.open(dir.resolve("rewards.jsonl"));
        this.preferences = Journal.open(dir.resolve("preferences.jsonl"));
        this.metrics = Journal.open(dir.resolve("metrics.jsonl"));
        this.probes = Journal.open(dir.resolve("probes.jsonl"));
        this.alarms = Journal.open(dir.resolve("alarms.jsonl"));
        this.refreshes = Journal.open(dir.resolve("judge_refresh.jsonl"));
    }

    /** A new run in {@code dir}, which must not hold another run's finished rounds; a failed start there is replaced. */
    static RunDirectory create(Path dir, String title, String experimentJson) {
        Path file = dir.resolve(EXPERIMENT);
        if (Files.exists(file)) {
            refuseRun(dir);
            clearFailedStart(dir);
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(file, experimentJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return new RunDirectory(dir, title);
    }

    /** Throws when {@code dir} holds a run that finished a round (0: its starting evaluation): that is resumed, never replaced. */
    static void refuseRun(Path dir) {
        if (Files.exists(dir.resolve(EXPERIMENT)) && doneRounds(dir) >= 0) {
            throw new RunException(dir + " already holds a run; resume it with --resume " + dir + ", or choose another \"out\"");
        }
    }

    /** The run in {@code dir}, to continue it. */
    static RunDirectory open(Path dir, String title) {
        if (!Files.isRegularFile(dir.resolve(EXPERIMENT))) throw new RunException("cannot resume " + dir + ": it holds no " + EXPERIMENT);
        return new RunDirectory(dir, title);
    }

    /** The last round whose metrics are on disk (0: only the starting policy's evaluation); -1 when none is. */
    static int doneRounds(Path dir) {
        Path file = dir.resolve("metrics.jsonl");
        if (!Files.exists(file)) return -1;
        try (Journal m = Journal.open(file)) {
            int done = -1;
            for (JsonNode r : m.records()) done = Math.max(done, r.get("round").asInt());
            return done;
        }
    }

    private static void clearFailedStart(Path dir) {
        try {
            Path rounds = dir.resolve("rounds");
            if (Files.exists(rounds)) {
                try (Stream<Path> files = Files.walk(rounds)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
                }
            }
            for (String j : JOURNALS) Files.deleteIfExists(dir.resolve(j));
            Files.deleteIfExists(dir.resolve("report.html"));
            Files.deleteIfExists(dir.resolve(EXPERIMENT));
        } catch (IOException e) {
            throw new RunException("cannot clear the failed start in " + dir + ": " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    static Path roundDir(Path dir, int round) {
        return dir.resolve("rounds").resolve(roundId(round));
    }

    static String roundId(int round) {
        return String.format("round-%04d", round);
    }

    boolean done(int round) {
        return metrics.contains(roundId(round));
    }

    List<JsonNode> metrics() {
        return metrics.records();
    }

    /** What the journaled rounds spent, in US dollars. */
    double spentUsd() {
        double s = 0;
        for (JsonNode m : metrics.records()) s += RoundMetrics.spentUsd(m);
        return s;
    }

    /** The round's transcripts and their verdicts. */
    void recordJudgments(Rollouts rollouts, Judgments judgments) {
        for (int k = 0; k < rollouts.size(); k++) {
            Trajectory t = rollouts.trajectories().get(k);
            trajectories.append(JSON.createObjectNode().put("id", t.task().id()).put("round", rollouts.round())
                    .set("trajectory", JSON.valueToTree(t)));
            verdicts.append(judgments.judged().get(k).record(t.task().id()));
        }
    }

    void recordCredit(List<ObjectNode> records) {
        records.forEach(rewards::append);
    }

    void recordPreferences(List<ObjectNode> records) {
        records.forEach(preferences::append);
    }

    void recordProbes(List<ObjectNode> records) {
        records.forEach(probes::append);
    }

    void recordAlarm(ObjectNode record) {
        alarms.append(record);
    }

    /** A judge refresh: what it trained on, where its checkpoint is, the judge's agreement before and after. */
    void recordJudgeRefresh(ObjectNode record) {
        refreshes.append(record);
    }

    /** The starting policy's evaluation: round 0 done. */
    void recordStart(ObjectNode evaluation) {
        metrics.append(evaluation);
        metrics.sync();
        writeReport();
    }

    /** Checkpoint, journals on disk, then the metrics record that declares the round done, then the report. */
    void finishRound(int round, ObjectNode record, DeepSeekV3Model policy, BpeTokenizer tokenizer, TrainingState state) {
        ModelCheckpoint.save(roundDir(dir, round), policy, tokenizer, state);
        trajectories.sync();
        verdicts.sync();
        rewards.sync();
        preferences.sync();
        probes.sync();
        alarms.sync();
        refreshes.sync();
        metrics.append(record);
        metrics.sync();
        writeReport();
    }

    Path report() {
        return dir.resolve("report.html");
    }

    /** report.html from the journals: the metrics, and the last few transcripts with their first judge's words. */
    void writeReport() {
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode v : verdicts.records()) byId.put(v.get("id").asText(), v);
        List<Report.Example> examples = new ArrayList<>();
        List<JsonNode> ts = trajectories.records();
        for (int i = Math.max(0, ts.size() - 4); i < ts.size(); i++) {
            JsonNode t = ts.get(i);
            Trajectory traj = JSON.convertValue(t.get("trajectory"), Trajectory.class);
            JsonNode v = byId.get(t.get("id").asText());
            JsonNode judge = v == null || v.get("judges").isEmpty() ? null : v.get("judges").get(0);
            examples.add(new Report.Example(traj.task().id() + ": " + traj.task().input(), Transcripts.of(traj),
                    judge == null ? "(no judge)" : judge.path("raw").asText(), v == null ? "" : reward(v.get("combined")),
                    v == null || !v.has("exact_match") ? null : v.get("exact_match").asBoolean()));
        }
        Report.write(dir, title, metrics.records(), examples);
    }

    /** A journaled verdict's reward as the report shows it: three decimals, or that the judge abstained. */
    private static String reward(JsonNode verdict) {
        JsonNode r = verdict.path("normalized");
        return r.isNumber() ? String.format(Locale.ROOT, "%.3f", r.asDouble()) : "abstained";
    }

    /** Regenerates {@code dir}'s report.html from its journals. */
    static Path report(Path dir) {
        String name;
        try {
            name = JSON.readTree(Files.readString(dir.resolve(EXPERIMENT))).path("name").asText("experiment");
        } catch (IOException e) {
            throw new RunException("cannot read " + dir.resolve(EXPERIMENT) + ": " + e.getMessage(), e);
        }
        try (RunDirectory run = open(dir, "Consilium run: " + name)) {
            run.writeReport();
            return run.report();
        }
    }

    @Override
    public void close() {
        trajectories.close();
        verdicts.close();
        rewards.close();
        preferences.close();
        metrics.close();
        probes.close();
        alarms.close();
        refreshes.close();
    }
}
