package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.checkpoint.CheckpointException;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.policy.PolicyTrainer;
import dev.consilium.moe.train.policy.ReferenceModel;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.runtime.journal.RunException;
import dev.consilium.runtime.seam.ExecutorOptions;
import dev.consilium.runtime.seam.ExecutorProvider;
import dev.consilium.runtime.seam.InProcessUnitExecutor;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One self-improvement run: round after round, the policy's workflow works sampled tasks (G rollouts each),
 * judges and reward functions score the transcripts, credit turns them into per-turn rewards and advantages,
 * the algorithm (GRPO, RFT or DPO) trains the policy on them, and held-out tasks measure it; everything lands in
 * the {@link RunDirectory}. Built with {@link #builder()}, or from an experiment file ({@link ExperimentFile}).
 *
 * <p>Resuming starts after the last done round from its checkpoint; rollouts, judgments and training are
 * deterministic functions of the seed, the round and the checkpoint, so a replayed round offers the journals
 * the same records, which they skip by id: a resumed run ends with every record once and the same metrics as an
 * uninterrupted one.
 */
public final class ExperimentRun {
    private final ExperimentRunBuilder b;
    private final Seeds seeds;
    private final Sampling sampling;
    private Judging judging;   // its refreshed judge replaces the one it was built with (JudgeRefresh)
    private JudgeRefreshing refreshing;
    /** The policy as the stages now send it: a new checkpoint after each update, the same one until then. */
    private PolicySpec policyNow;
    /** The run's unit executor while it runs; null: this JVM's threads. */
    private UnitExecutor units;
    /** The keys its judges' units carry where they leave this JVM; none in-process, where judges read them here. */
    private SecretEnv shipped = SecretEnv.NONE;

    ExperimentRun(ExperimentRunBuilder b) {
        this.b = b;
        this.seeds = new Seeds(b.seed);
        this.sampling = new Sampling(b.temperature, b.answerTokens);
        this.judging = new Judging(b.judges, b.judgeRecipes, b.functions, b.check, b.perTurnCredit);
    }

    public static ExperimentRunBuilder builder() {
        return new ExperimentRunBuilder();
    }

    /**
     * A new run of {@code experiment}, its relative paths relative to the working directory, its names among the
     * built-in ones and those of the plugins on the class path ({@link ExperimentFile#start(Path, PluginRegistry,
     * PrintStream)} reads a file, relative to it).
     */
    public static ExperimentRun start(Experiment experiment, PrintStream out) {
        return ExperimentFile.start(experiment, Path.of("").toAbsolutePath(), "experiment \"" + experiment.name() + "\"",
                PluginRegistry.load(ExperimentRun.class.getClassLoader()), out);
    }

    /**
     * As {@link #start(Experiment, PrintStream)}, its judges' API keys read from {@code secrets} (by the variable names
     * of its providers file; a name it does not hold is read from this JVM's environment): on a remote executor the
     * keys travel with the judging units, never in the engine's configuration.
     */
    public static ExperimentRun start(Experiment experiment, PrintStream out, SecretEnv secrets) {
        return ExperimentFile.start(experiment, Path.of("").toAbsolutePath(), "experiment \"" + experiment.name() + "\"",
                PluginRegistry.load(ExperimentRun.class.getClassLoader()), out, secrets);
    }

    /** Continues the run in {@code dir} from its last finished round. */
    public static ExperimentRun resume(Path dir, PrintStream out) {
        return ExperimentFile.resume(dir, PluginRegistry.load(ExperimentRun.class.getClassLoader()), out);
    }

    /**
     * This run with its rollouts, judgments and held-out evaluation on {@code executor}'s threads in this JVM (tests
     * kill runs so).
     */
    ExperimentRun withExecutor(RolloutExecutor executor) {
        b.executor = executor;
        return new ExperimentRun(b);
    }

    /**
     * This run with its rollouts and held-out answers on {@code executor} (Spark's, from the cluster module): the
     * units travel as descriptions, each round's checkpoint once per stage, and come back in order, so the journals
     * are those of an in-process run. Fails, saying why, where the workflow cannot be rebuilt in another JVM.
     */
    public ExperimentRun withExecutor(UnitExecutor executor) {
        b.executor(executor);
        b.checkTravels();
        return new ExperimentRun(b);
    }

    /** This run on the engine {@code options} names (the CLI's {@code --executor}), which replaces the experiment's. */
    public ExperimentRun withExecutor(ExecutorOptions options) {
        b.executor(options, b.executorLoader != null ? b.executorLoader : Thread.currentThread().getContextClassLoader());
        return new ExperimentRun(b);
    }

    /**
     * What the run reached: every round's metrics record (round 0 is the starting policy), its report, and the final
     * policy's checkpoint directory (the last finished round's; the starting policy's where no round finished), which
     * {@code consilium eval} measures as the last record's held-out figures did.
     */
    public record Result(Path dir, List<JsonNode> rounds, Path report, Path policy) {
        public JsonNode before() {
            return rounds.getFirst();
        }

        public JsonNode after() {
            return rounds.getLast();
        }
    }

    public Result run() {
        if (b.units != null || b.executorOptions == null) return runOn(b.units);
        try (UnitExecutor opened = ExecutorProvider.open(b.executorOptions, b.executorLoader)) {
            if (opened.remote()) {
                String why = PolicySpec.whyNotTravelling(b.workflow);
                if (why != null) throw new IllegalArgumentException(why);
            }
            b.log.println("executor: " + b.executorOptions.type() + (b.executorOptions.master() == null ? "" : " at " + b.executorOptions.master())
                    + ", " + opened.slots() + " slots");
            return runOn(opened);
        }
    }

    private Result runOn(UnitExecutor executor) {
        this.units = executor;
        if (executor != null && executor.remote()) shipped = b.shippedSecrets();
        int done = b.resume ? Math.max(0, RunDirectory.doneRounds(b.out)) : 0;
        // Loaded before the run directory is made, so that a policy that cannot be read leaves nothing behind.
        ModelCheckpoint start = ModelCheckpoint.load(done > 0 ? RunDirectory.roundDir(b.out, done) : b.policy);
        try (RunDirectory run = b.resume ? RunDirectory.open(b.out, title()) : RunDirectory.create(b.out, title(), b.description());
             JudgeRefreshing refresh = b.refresh == null ? null
                     : new JudgeRefreshing(b.refresh, b.check, b.perTurnCredit, b.executor, b.seed, b.out, done, b.log)) {
            refreshing = refresh;
            if (refresh != null && refresh.refreshed()) judging = judging.withJudge(b.refresh.judge(), refresh.judge(), refresh.current());
            DeepSeekV3Model policy = start.model();
            BpeTokenizer tokenizer = start.tokenizer();
            ReferenceModel reference = b.algorithm.needsReference() ? ReferenceModel.frozenCopyOf(
                    done > 0 ? ModelCheckpoint.load(b.policy).model() : policy) : null;
            PolicyTrainer trainer = new PolicyTrainer(policy, reference, trainOptions());
            if (done > 0 && start.trainingState() != null) trainer.restore(start.trainingState());

            policyNow = policySpec(policy, tokenizer);
            if (done == 0 && !run.done(0)) {
                b.log.println("round 0: evaluating the starting policy on " + b.heldout.size() + " held-out tasks");
                run.recordStart(evaluate(0).record());
            }
            if (done > 0) {
                b.log.println("resuming after round " + done);
                run.writeReport();   // redraws a page that a kill cut off mid-write
            }
            for (int round = done + 1; round <= b.rounds; round++) {
                String stop = b.limits.exceeded(Instant.now(), run.spentUsd());
                if (stop != null) {
                    b.log.println("stopping before round " + round + ": " + stop + " (resume with --resume " + b.out + ")");
                    break;
                }
                try {
                    if (round(round, policy, tokenizer, trainer, run)) {
                        b.log.println("stopping after round " + round + ": the reward-hacking alarm fired (\"alarm.action\": \"stop\"); "
                                + "its journals and checkpoint are kept in " + b.out);
                        break;
                    }
                } catch (RunException | CheckpointException e) {
                    throw new RunException(e.getMessage() + " (round " + round + " did not finish; round " + (round - 1)
                            + " is intact: resume with --resume " + b.out + " once this is fixed)", e);
                }
            }
            List<JsonNode> metrics = run.metrics();
            int last = metrics.getLast().get("round").asInt();
            return new Result(b.out, metrics, run.report(), last == 0 ? b.policy : RunDirectory.roundDir(b.out, last));
        }
    }

    /** One round: each stage takes the last one's record and returns its own; true when its alarm stops the run. */
    private boolean round(int r, DeepSeekV3Model policy, BpeTokenizer tokenizer, PolicyTrainer trainer, RunDirectory run) {
        long started = System.nanoTime();
        List<TaskRecord> tasks = seeds.sample(b.train, b.tasksPerRound, r);
        b.log.printf(Locale.ROOT, "round %d: %d rollouts (%d tasks x %d)%n", r, tasks.size() * b.rolloutsPerTask, tasks.size(), b.rolloutsPerTask);
        Rollouts rollouts = Rollouts.collect(r, tasks, b.rolloutsPerTask, policyNow, seeds, units());
        b.log.printf("round %d: judging %d transcripts%n", r, rollouts.size());
        List<GoldItem> probes = b.probes == null ? List.of() : b.probes.forRound(seeds, r);
        Judgments judgments = judging.judge(rollouts, probes, seeds.rollout(r, -1, 0), b.executor, units(), shipped);
        String silent = judgments.allAbstained();
        if (silent != null && !b.allowAbstainingJudges) {
            throw new RunException("round " + r + ": " + silent + "; fix the judge, or set \"allow_abstaining_judges\": true to train on the other rewards");
        }
        run.recordJudgments(rollouts, judgments);
        run.recordProbes(judgments.probes().records());
        RoundCredit credit = RoundCredit.of(rollouts, judgments, b.perTurnCredit);
        run.recordCredit(credit.records(rollouts, judgments));
        TrainingBatch batch = TrainingBatch.of(rollouts, judgments, credit, b.pairMargin, ChatTemplate.deepSeekV3(tokenizer),
                sampling.temperature());
        run.recordPreferences(batch.preferences());
        PolicyUpdate update = PolicyUpdate.train(trainer, b.algorithm, batch, b.log);
        policyNow = policySpec(policy, tokenizer);
        Evaluation eval = evaluate(r);
        var metrics = RoundMetrics.of(eval, update, credit, judgments, rollouts, started);
        List<String> alarm = b.alarm == null ? List.of() : b.alarm.reasons(metrics);
        if (!alarm.isEmpty()) {
            metrics.putArray("alarm").addAll(alarm.stream().map(metrics::textNode).toList());
            run.recordAlarm(metrics.objectNode().put("id", RunDirectory.roundId(r)).put("round", r)
                    .put("action", b.alarm.action().name().toLowerCase(Locale.ROOT)).set("reasons", metrics.get("alarm").deepCopy()));
        }
        refreshJudge(r, rollouts, judgments, !alarm.isEmpty() && b.alarm.action() == Alarm.Action.REFRESH, metrics, run);
        run.finishRound(r, metrics, policy, tokenizer, trainer.state());
        String sampled = sampledAccuracy(metrics);
        b.log.printf(Locale.ROOT, "round %d: held-out %s%s, first turn alone %s, reward %s%s, judge agreement %s%s, abstain %.3f (%.0f s)%n", r,
                accuracy(metrics), sampled == null ? "" : ", sampled " + sampled, firstTurnAccuracy(metrics), figure(metrics, "reward_mean"),
                metrics.has(RoundMetrics.TRUE_ACCURACY) ? " (rollouts truly right " + figure(metrics, RoundMetrics.TRUE_ACCURACY) + ")" : "",
                figure(metrics, "judge_agreement"), metrics.has("probes") ? ", on probes " + figure(metrics, "probe_agreement") : "",
                metrics.get("abstain_rate").asDouble(), metrics.get("seconds").asDouble());
        for (String reason : alarm) b.log.println("round " + r + ": REWARD-HACKING ALARM: " + reason);
        return !alarm.isEmpty() && b.alarm.action() == Alarm.Action.STOP;
    }

    /**
     * Where a judge refresh is due after round {@code r}, fine-tunes the judge, journals it, marks the round's metrics,
     * and judges the rounds that follow with it; before the round is finished, so that a round killed after its
     * refresh is done again whole (its refresh included) by a resumed run.
     */
    private void refreshJudge(int r, Rollouts rollouts, Judgments judgments, boolean alarmRefreshes, ObjectNode metrics, RunDirectory run) {
        if (refreshing == null) return;
        JudgeRefreshing.Refreshed refreshed = refreshing.after(r, rollouts, judgments, alarmRefreshes, judging.judge(b.refresh.judge()));
        if (refreshed == null) return;
        metrics.set("judge_refresh", refreshed.summary());
        run.recordJudgeRefresh(refreshed.record());
        judging = judging.withJudge(b.refresh.judge(), refreshed.judge(), refreshing.current());
    }

    private Evaluation evaluate(int round) {
        return evaluate(round, policyNow, b.evalSamples);
    }

    private Evaluation evaluate(int round, PolicySpec policy, int samples) {
        return Evaluation.heldOut(round, policy, b.heldout, b.check, seeds, samples, units());
    }

    /** The model as it is now, with the experiment's workflow and sampling: what the next stage's units run. */
    private PolicySpec policySpec(DeepSeekV3Model policy, BpeTokenizer tokenizer) {
        return PolicySpec.of(PolicyCheckpoint.of(policy, tokenizer), b.workflow, sampling);
    }

    /** Where rollouts and held-out answers run: the run's unit executor, else this JVM's threads. */
    private UnitExecutor units() {
        return units != null ? units : new InProcessUnitExecutor(b.executor, ExperimentRunBuilder.CONCURRENCY);
    }

    /**
     * The held-out evaluation of the checkpoint in {@code dir}, greedy answers only: what every round measures of
     * the policy it trained, served the same way, so a round's checkpoint gives that round's greedy figures.
     */
    Evaluation evaluate(Path dir) {
        ModelCheckpoint c = ModelCheckpoint.load(dir);
        return evaluate(0, policySpec(c.model(), c.tokenizer()), 0);
    }

    private TrainOptions trainOptions() {
        Algorithm a = b.algorithm;
        return TrainOptions.builder().lr((float) a.lr()).minLrRatio(1f).warmupSteps(a.warmup())
                .steps((long) b.rounds * Math.max(1, a.minibatches())).batchSize(64).seqLen(256).seed(b.seed)
                // Fine-tuning on a round's few hundred samples: routing biases tuned in pretraining stay put, as
                // DeepSeek-V3 stops their updates late in training (gamma 0); small batches would only jostle them.
                .biasUpdateSpeed(0f).lossWeights(LossWeights.NONE).build();
    }

    private String title() {
        return "Consilium run: " + b.name;
    }

    private static String figure(JsonNode m, String field) {
        return m.has(field) ? String.format(Locale.ROOT, "%.3f", m.get(field).asDouble()) : "n/a";
    }

    /** A metrics record's held-out accuracy as correct/total and percent, as the CLI and the log state it. */
    public static String accuracy(JsonNode m) {
        return fraction(m, "heldout");
    }

    /** A metrics record's sampled held-out accuracy as correct/total and percent; null when it was not measured. */
    public static String sampledAccuracy(JsonNode m) {
        return m.has("heldout_sampled_accuracy") ? fraction(m, "heldout_sampled") : null;
    }

    /**
     * A metrics record's greedy held-out accuracy of the workflow's first turn alone (the first agent's answer, before
     * any later agent saw it), as correct/total and percent; null in a record written before it was measured.
     */
    public static String firstTurnAccuracy(JsonNode m) {
        return m.has("heldout_first_turn_accuracy") ? fraction(m, "heldout_first_turn", "heldout") : null;
    }

    /** {@code prefix}_correct/{@code prefix}_total ({@code prefix}_accuracy as a percent). */
    private static String fraction(JsonNode m, String prefix) {
        return fraction(m, prefix, prefix);
    }

    /** {@code prefix}_correct/{@code of}_total ({@code prefix}_accuracy as a percent). */
    private static String fraction(JsonNode m, String prefix, String of) {
        return String.format(Locale.ROOT, "%d/%d (%.1f%%)", m.get(prefix + "_correct").asInt(), m.get(of + "_total").asInt(),
                100 * m.get(prefix + "_accuracy").asDouble());
    }

    /** Regenerates {@code dir}'s report.html from its journals. */
    public static Path report(Path dir) {
        return RunDirectory.report(dir);
    }
}
