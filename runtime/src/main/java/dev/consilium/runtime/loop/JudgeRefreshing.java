package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.provider.builtin.BuiltinChatModel;
import dev.consilium.agents.provider.builtin.BuiltinModel;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The judge-refresh stage ({@link JudgeRefresh}): after a round whose refresh is due, the judge is fine-tuned on gold
 * items and the round's rollouts labelled by the answer check, saved as {@code judges/round-NNNN} in the run
 * directory, measured before and after on held-back items, and served as the judge of the rounds that follow.
 * Holds the built-in model the current judge runs on, closed when the judge is replaced or the run ends.
 */
final class JudgeRefreshing implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DIR = "judges";

    private final JudgeRefresh settings;
    private final AnswerCheck check;
    private final boolean perTurn;
    private final RolloutExecutor executor;
    private final long seed;
    private final Path runDir;
    private final PrintStream log;
    private Path current;
    private BuiltinModel served;

    /** The refresh of the run in {@code runDir} that finished round {@code done}, its judge the last one it reached. */
    JudgeRefreshing(JudgeRefresh settings, AnswerCheck check, boolean perTurn, RolloutExecutor executor, long seed, Path runDir,
                    int done, PrintStream log) {
        this.settings = settings;
        this.check = check;
        this.perTurn = perTurn;
        this.executor = executor;
        this.seed = seed;
        this.runDir = runDir;
        this.log = log;
        this.current = latest(runDir, done, settings.checkpoint());
    }

    /** A refresh's outcome: the judge to use from the next round on, its journal record, and the round's metrics fields. */
    record Refreshed(RewardFunction judge, ObjectNode record, ObjectNode summary) {}

    static Path checkpointDir(Path runDir, int round) {
        return runDir.resolve(DIR).resolve(RunDirectory.roundId(round));
    }

    /**
     * The judge a run that finished round {@code done} had reached: the checkpoint of its last refresh up to that round,
     * or {@code start}. A refresh of a round that did not finish is ignored: the round is done again, and so is its refresh.
     */
    static Path latest(Path runDir, int done, Path start) {
        for (int r = done; r >= 1; r--) {
            Path p = checkpointDir(runDir, r);
            if (Files.isRegularFile(p.resolve("config.json"))) return p;
        }
        return start;
    }

    /** Whether the judge is a refreshed one (the run resumed past a refresh), whose judge replaces the one it was built with. */
    boolean refreshed() {
        return !current.equals(settings.checkpoint());
    }

    /** The checkpoint directory the judge has now reached: the refresh's last, or the one it started from. */
    Path current() {
        return current;
    }

    /** The judge over the checkpoint it has now reached, served by the built-in model. */
    RewardFunction judge() {
        if (served != null) served.close();
        served = BuiltinModel.load(current);
        return settings.prompt().judge(GreedyChatModel.byDefault(new BuiltinChatModel(served), ExperimentFile.JUDGE_TOKENS),
                settings.name(), settings.nonceSeed());
    }

    /**
     * Refreshes the judge after round {@code r} where it is due ({@code alarmRefreshes}: the round's alarm fired with
     * action refresh); null where it is not. {@code before} is the judge the round judged with.
     */
    Refreshed after(int r, Rollouts rollouts, Judgments judgments, boolean alarmRefreshes, RewardFunction before) {
        if (!settings.due(r, alarmRefreshes)) return null;
        long started = System.nanoTime();
        String why = alarmRefreshes ? "alarm" : "every " + settings.every() + " rounds";
        Random rng = new Random(seed * 1_000_003L + r);
        List<GoldItem> gold = new ArrayList<>(settings.gold());
        Collections.shuffle(gold, rng);
        gold = gold.subList(0, Math.min(settings.goldPerRefresh(), gold.size()));
        List<GoldItem> labelled = labelled(rollouts, judgments);
        List<GoldItem> items = new ArrayList<>(gold);
        items.addAll(labelled);
        Collections.shuffle(items, rng);
        // At most half held back, so that a small round still trains on something.
        int held = Math.min(settings.heldBack(), items.size() / 2);
        List<GoldItem> heldBack = items.subList(0, held), training = items.subList(held, items.size());
        Path to = checkpointDir(runDir, r);
        log.printf(Locale.ROOT, "round %d: refreshing the judge (%s) on %d gold items and %d labelled rollout transcripts, %d held back%n",
                r, why, gold.size(), labelled.size(), held);
        TrainableJudge.Trained trained = settings.trainer().train(current, to, training, settings.options(), seed + r, log);
        double agreementBefore = agreement(before, heldBack);
        Path from = current;
        current = to;
        RewardFunction after = judge();
        double agreementAfter = agreement(after, heldBack);
        ObjectNode summary = JSON.createObjectNode().put("why", why).put("trained_on", trained.examples()).put("held_back", held);
        put(summary, "agreement_before", agreementBefore);
        put(summary, "agreement_after", agreementAfter);
        ObjectNode record = JSON.createObjectNode().put("id", RunDirectory.roundId(r)).put("round", r).put("why", why)
                .put("from", shown(from)).put("checkpoint", shown(to)).put("steps", settings.options().steps())
                .put("lr", settings.options().lr()).put("trained_on", trained.examples())
                .put("skipped", trained.skipped()).put("rollout_items", labelled.size());
        gold.forEach(g -> { if (!heldBack.contains(g)) record.withArray("gold_ids").add(g.id()); });
        heldBack.forEach(g -> record.withArray("held_back_ids").add(g.id()));
        put(record, "agreement_before", agreementBefore);
        put(record, "agreement_after", agreementAfter);
        record.put("seconds", (System.nanoTime() - started) / 1e9);
        log.printf(Locale.ROOT, "round %d: judge refreshed: agreement on %d held-back items %s -> %s (%s)%n", r, held,
                figure(agreementBefore), figure(agreementAfter), to);
        return new Refreshed(after, record, summary);
    }

    /**
     * The round's rollouts as labelled items: each whole transcript, and with per-turn credit each transcript up to a
     * turn (what the judge reads then), labelled by the answer check on its last answer against the task's reference.
     */
    private List<GoldItem> labelled(Rollouts rollouts, Judgments judgments) {
        List<GoldItem> out = new ArrayList<>();
        for (int k = 0; k < rollouts.size(); k++) {
            Trajectory t = rollouts.trajectories().get(k);
            TaskRecord task = rollouts.taskOf(k);
            if (task.reference() == null) continue;
            String id = RunDirectory.roundId(rollouts.round()) + "/" + k + "/" + task.id();
            out.add(GoldItem.pointwise(id, "rollout", task.input(), Transcripts.of(t), task.reference(),
                    judgments.judged().get(k).exact() ? 1 : 0));
            if (!perTurn) continue;
            for (int turn = 1; turn < t.calls().size(); turn++) {
                String said = t.calls().get(turn - 1).output();
                out.add(GoldItem.pointwise(id + "/turn-" + turn, "rollout", task.input(), Transcripts.upTo(t, turn), task.reference(),
                        check.accepts(task, said == null ? "" : said) ? 1 : 0));
            }
        }
        return out;
    }

    /**
     * Share of {@code items} whose label the judge's verdict gives (score >= 0.5 for right); an abstention gives no
     * label, so it counts against (a drifted judge often stops writing a verdict at all); NaN when there are no items.
     */
    private double agreement(RewardFunction judge, List<GoldItem> items) {
        List<Callable<Verdict>> units = new ArrayList<>();
        for (GoldItem g : items) units.add(() -> judge.evaluate(JudgedItem.of(g.task(), g.answer(), g.reference())));
        List<Verdict> verdicts = executor.runAll(units);
        int agree = 0;
        for (int i = 0; i < items.size(); i++) {
            if (verdicts.get(i) instanceof Verdict.Score s && (s.normalized() >= 0.5) == GoldProbes.right(items.get(i))) agree++;
        }
        return items.isEmpty() ? Double.NaN : (double) agree / items.size();
    }

    /** A checkpoint as the journal names it: relative to the run directory where it is inside it (the run may move). */
    private String shown(Path p) {
        Path run = runDir.toAbsolutePath().normalize(), q = p.toAbsolutePath().normalize();
        return q.startsWith(run) ? run.relativize(q).toString() : q.toString();
    }

    private static void put(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) o.putNull(field); else o.put(field, v);
    }

    private static String figure(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    @Override
    public void close() {
        if (served != null) served.close();
    }
}
