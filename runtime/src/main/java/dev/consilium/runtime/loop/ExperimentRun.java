package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.Task;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.agents.provider.builtin.BuiltinChatModel;
import dev.consilium.agents.provider.builtin.BuiltinModel;
import dev.consilium.agents.trajectory.Message;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.moe.checkpoint.CheckpointException;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.ExpertLoad;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatMessage;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.policy.Dpo;
import dev.consilium.moe.train.policy.Grpo;
import dev.consilium.moe.train.policy.PolicyStep;
import dev.consilium.moe.train.policy.PolicyTrainer;
import dev.consilium.moe.train.policy.PreferencePair;
import dev.consilium.moe.train.policy.ReferenceModel;
import dev.consilium.moe.train.policy.Rft;
import dev.consilium.moe.train.policy.Rollout;
import dev.consilium.rewards.advantage.GroupAdvantages;
import dev.consilium.rewards.advantage.Normalization;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.datasets.ArithmeticDataset;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.demo.SolverReviser;
import dev.consilium.runtime.loop.Judging.Judged;
import dev.consilium.runtime.report.Report;
import dev.consilium.runtime.run.Journal;
import dev.consilium.runtime.run.RunException;
import dev.langchain4j.model.chat.ChatModel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * One self-improvement run: round after round, the policy's agents work sampled tasks (G rollouts each),
 * judges and reward functions score the transcripts, group-relative advantages (or the best and worst of each
 * group) train the policy with GRPO, RFT or DPO, and the held-out tasks measure it. Everything lands in the run
 * directory:
 * <pre>
 *   experiment.json                   the experiment as resolved
 *   trajectories.jsonl verdicts.jsonl rewards.jsonl preferences.jsonl metrics.jsonl   append-only journals
 *   rounds/round-NNNN/                the policy after round N (weights, tokenizer, optimizer state)
 *   report.html                       regenerated every round
 * </pre>
 * A round is done when its metrics record is on disk, which is written after its checkpoint. Resuming starts
 * after the last done round from its checkpoint; rollouts, judgments and training are deterministic functions
 * of the seed, the round and the checkpoint, so a replayed round offers the journals the same records, which
 * they skip by id: a resumed run ends with every record once and the same metrics as an uninterrupted one.
 */
public final class ExperimentRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Answers here are short; a policy that rambles past this is wrong anyway. */
    private static final int ANSWER_TOKENS = 12;

    private final Experiment experiment;
    private final Path dir;
    private final PrintStream out;
    private final RolloutExecutor executor;
    private final WorkflowFactory workflows;
    private final Providers providers;

    private ExperimentRun(Experiment experiment, Path dir, PrintStream out, RolloutExecutor executor, Providers providers) {
        this.experiment = experiment;
        this.dir = dir;
        this.out = out;
        this.executor = executor;
        this.workflows = SolverReviser.factory();
        this.providers = providers;
    }

    /** A new run of {@code experiment} in its {@code out} directory, which must not hold another run. */
    public static ExperimentRun start(Experiment experiment, PrintStream out) {
        Path dir = Path.of(experiment.out());
        Path file = dir.resolve("experiment.json");
        if (Files.exists(file)) {
            throw new RunException(dir + " already holds a run; resume it with --resume " + dir + ", or choose another \"out\"");
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(file, experiment.toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return new ExperimentRun(experiment, dir, out, RolloutExecutor.inProcess(64), providers(experiment));
    }

    /** Continues the run in {@code dir} from its last finished round. */
    public static ExperimentRun resume(Path dir, PrintStream out) {
        Path file = dir.resolve("experiment.json");
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunException("cannot resume " + dir + ": no readable experiment.json (" + e.getMessage() + ")", e);
        }
        Experiment e = Experiment.fromJson(json, file.toString());
        return new ExperimentRun(e, dir, out, RolloutExecutor.inProcess(64), providers(e));
    }

    /** This run with its rollouts, judgments and held-out evaluation handed to {@code executor}. */
    ExperimentRun withExecutor(RolloutExecutor executor) {
        return new ExperimentRun(experiment, dir, out, executor, providers);
    }

    private static Providers providers(Experiment e) {
        Providers.Builder b = Providers.builder();
        if (e.providers() != null) b.config(ProvidersConfig.load(Path.of(e.providers())));
        return b.build();
    }

    /** What the run reached: every round's metrics record (round 0 is the starting policy), and its report. */
    public record Result(Path dir, List<JsonNode> rounds, Path report) {
        public JsonNode before() {
            return rounds.getFirst();
        }

        public JsonNode after() {
            return rounds.getLast();
        }
    }

    public Result run() {
        List<Problem> train = ArithmeticDataset.read(Path.of(experiment.tasks().train()));
        List<Problem> heldout = ArithmeticDataset.read(Path.of(experiment.tasks().heldout()));
        if (experiment.tasks().heldoutLimit() != null) {
            heldout = heldout.subList(0, Math.min(heldout.size(), experiment.tasks().heldoutLimit()));
        }
        try (Journal trajectories = Journal.open(dir.resolve("trajectories.jsonl"));
             Journal verdicts = Journal.open(dir.resolve("verdicts.jsonl"));
             Journal rewards = Journal.open(dir.resolve("rewards.jsonl"));
             Journal preferences = Journal.open(dir.resolve("preferences.jsonl"));
             Journal metrics = Journal.open(dir.resolve("metrics.jsonl"))) {
            int done = lastDoneRound(metrics);
            ModelCheckpoint start = ModelCheckpoint.load(done > 0 ? roundDir(done) : Path.of(experiment.policy()));
            DeepSeekV3Model policy = start.model();
            BpeTokenizer tokenizer = start.tokenizer();
            ReferenceModel reference = needsReference() ? ReferenceModel.frozenCopyOf(
                    done > 0 ? ModelCheckpoint.load(Path.of(experiment.policy())).model() : policy) : null;
            PolicyTrainer trainer = new PolicyTrainer(policy, reference, trainOptions());
            if (done > 0 && start.trainingState() != null) trainer.restore(start.trainingState());
            Judging judging = new Judging(experiment, providers);

            if (done == 0 && !metrics.contains(roundId(0))) {
                out.println("round 0: evaluating the starting policy on " + heldout.size() + " held-out tasks");
                ObjectNode m = evaluate(0, policy, tokenizer, heldout);
                metrics.append(m);
                metrics.sync();
                writeReport(metrics, trajectories, verdicts);
            }
            if (done > 0) out.println("resuming after round " + done);
            for (int round = done + 1; round <= experiment.rounds(); round++) {
                try {
                    runRound(round, train, heldout, policy, tokenizer, trainer, judging,
                            trajectories, verdicts, rewards, preferences, metrics);
                } catch (RunException | CheckpointException e) {
                    throw new RunException(e.getMessage() + " (round " + round + " did not finish; round " + (round - 1)
                            + " is intact: resume with --resume " + dir + " once this is fixed)", e);
                }
            }
            return new Result(dir, metrics.records(), dir.resolve("report.html"));
        }
    }

    private void runRound(int round, List<Problem> train, List<Problem> heldout, DeepSeekV3Model policy,
                          BpeTokenizer tokenizer, PolicyTrainer trainer, Judging judging,
                          Journal trajectories, Journal verdicts, Journal rewards, Journal preferences, Journal metrics) {
        long started = System.nanoTime();
        List<Problem> tasks = sample(train, round);
        int g = experiment.rolloutsPerTask();

        // 1. Rollouts: G runs of the workflow per task, each with its own reproducible seeds.
        List<Trajectory> rolled;
        long rolloutStart = System.nanoTime();
        try (BuiltinModel served = BuiltinModel.of("builtin/policy", policy, tokenizer)) {
            ChatModel chat = new BuiltinChatModel(served);
            List<Callable<Trajectory>> units = new ArrayList<>();
            for (int t = 0; t < tasks.size(); t++) {
                for (int i = 0; i < g; i++) {
                    Problem p = tasks.get(t);
                    long seed = rolloutSeed(round, t, i);
                    String id = "r" + round + "/" + p.id() + "/g" + i;
                    units.add(() -> workflow(new PolicyChatModel(chat, experiment.temperature(), ANSWER_TOKENS, seed))
                            .run(new Task(id, p.question(), Map.of("answer", p.answer()))));
                }
            }
            out.printf(Locale.ROOT, "round %d: %d rollouts (%d tasks x %d)%n", round, units.size(), tasks.size(), g);
            rolled = executor.runAll(units);
        }
        double rolloutSeconds = (System.nanoTime() - rolloutStart) / 1e9;
        long rolloutTokens = 0;
        for (Trajectory t : rolled) for (ModelCall c : t.calls()) rolloutTokens += c.tokens().size();

        // 2. Judgments and rewards.
        List<Callable<Judged>> judgments = new ArrayList<>();
        for (int k = 0; k < rolled.size(); k++) {
            Trajectory t = rolled.get(k);
            Problem p = tasks.get(k / g);
            judgments.add(() -> judging.judge(t, p));
        }
        out.printf("round %d: judging %d transcripts%n", round, judgments.size());
        List<Judged> judged = executor.runAll(judgments);
        for (int k = 0; k < rolled.size(); k++) {
            Trajectory t = rolled.get(k);
            Judged j = judged.get(k);
            trajectories.append(JSON.createObjectNode().put("id", t.task().id()).put("round", round)
                    .set("trajectory", JSON.valueToTree(t)));
            verdicts.append(j.record(t.task().id()));
        }

        // 3. Advantages per task group (per turn position, with per-turn credit), then training samples from every
        //    policy turn.
        List<Rollout> samples = new ArrayList<>();
        List<PreferencePair> pairs = new ArrayList<>();
        int degenerate = 0, abstained = 0;
        double rewardSum = 0;
        int rewarded = 0;
        ChatTemplate template = ChatTemplate.deepSeekV3(tokenizer);
        for (int t = 0; t < tasks.size(); t++) {
            List<Judged> groupJudged = judged.subList(t * g, t * g + g);
            List<Trajectory> groupRolled = rolled.subList(t * g, t * g + g);
            List<Verdict> group = new ArrayList<>();
            for (Judged j : groupJudged) group.add(j.combined());
            GroupAdvantages adv = GroupAdvantages.of(group, Normalization.MEAN_STD);
            if (adv.degenerate()) degenerate++;
            Credit credit = Credit.of(groupJudged, groupRolled, adv, experiment.perTurnCredit());
            for (int i = 0; i < g; i++) {
                Trajectory traj = groupRolled.get(i);
                double reward = Credit.score(group.get(i));
                if (Double.isNaN(reward)) abstained++;
                else {
                    rewardSum += reward;
                    rewarded++;
                }
                ObjectNode rec = JSON.createObjectNode().put("id", traj.task().id()).put("round", round);
                if (Double.isNaN(reward)) rec.putNull("reward"); else rec.put("reward", reward);
                if (adv.mask()[i]) rec.put("advantage", adv.advantages()[i]); else rec.putNull("advantage");
                if (experiment.perTurnCredit()) {
                    ArrayNode turns = rec.putArray("turns");
                    for (int k = 0; k < credit.reward()[i].length; k++) {
                        ObjectNode turn = turns.addObject();
                        double r = credit.reward()[i][k], a = credit.advantage()[i][k];
                        if (Double.isNaN(r)) turn.putNull("reward"); else turn.put("reward", r);
                        if (Double.isNaN(a)) turn.putNull("advantage"); else turn.put("advantage", a);
                    }
                }
                rewards.append(rec);
                List<ModelCall> calls = traj.calls();
                for (int k = 0; k < calls.size(); k++) {
                    Rollout r = rollout(calls.get(k), template, credit.reward()[i][k], credit.advantage()[i][k]);
                    if (r != null) samples.add(r);
                }
            }
            // Pairs contrast first turns, so with per-turn credit they are ranked by the first turn's own verdict.
            List<Verdict> firstTurns = experiment.perTurnCredit()
                    ? groupJudged.stream().map(j -> j.turns().isEmpty() ? j.combined() : j.turns().getFirst()).toList() : group;
            int[] pair = preference(firstTurns, groupRolled);
            if (pair != null) {
                ModelCall chosen = groupRolled.get(pair[0]).calls().getFirst(), rejected = groupRolled.get(pair[1]).calls().getFirst();
                double margin = ((Verdict.Score) firstTurns.get(pair[0])).normalized() - ((Verdict.Score) firstTurns.get(pair[1])).normalized();
                if (margin >= marginOr(0.5)) {
                    preferences.append(JSON.createObjectNode().put("id", "r" + round + "/" + tasks.get(t).id())
                            .put("prompt", tasks.get(t).question()).put("chosen", chosen.output()).put("rejected", rejected.output())
                            .put("margin", margin));
                    Rollout c = rollout(chosen, template, 1, 1), r = rollout(rejected, template, 0, -1);
                    if (c != null && r != null) pairs.add(new PreferencePair(c.prompt(), c.completion(), r.completion()));
                }
            }
        }

        // 4. Train.
        long trainStart = System.nanoTime();
        ObjectNode m = JSON.createObjectNode();
        PolicyStep<?> step = train(trainer, samples, pairs, m);
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;

        // 5. Evaluate, checkpoint, then declare the round done.
        ObjectNode eval = evaluate(round, policy, tokenizer, heldout);
        eval.setAll(m);
        if (rewarded > 0) eval.put("reward_mean", rewardSum / rewarded);
        eval.put("abstain_rate", (double) abstained / rolled.size());
        double agreement = Judging.agreement(judged);
        if (!Double.isNaN(agreement)) eval.put("judge_agreement", agreement);
        eval.put("degenerate_groups", degenerate);
        eval.put("rollout_tokens_per_s", rolloutTokens / rolloutSeconds);
        if (step != null) {
            eval.put("train_tokens_per_s", step.update().tokens() / trainSeconds);
            ArrayNode load = eval.putArray("expert_load");
            // A layer no token reached this step (the MTP module, when its loss is off) has no balance to show.
            for (ExpertLoad l : step.update().expertLoad()) if (l.total() > 0) load.add(l.maxOverMean());
        }
        costs(rolled, eval);
        eval.put("seconds", (System.nanoTime() - started) / 1e9);
        ModelCheckpoint.save(roundDir(round), policy, tokenizer, trainer.state());
        trajectories.sync();
        verdicts.sync();
        rewards.sync();
        preferences.sync();
        metrics.append(eval);
        metrics.sync();
        writeReport(metrics, trajectories, verdicts);
        String sampled = sampledAccuracy(eval);
        out.printf(Locale.ROOT, "round %d: held-out %s%s, reward %s, judge agreement %s, abstain %.3f (%.0f s)%n", round,
                accuracy(eval), sampled == null ? "" : ", sampled " + sampled, figure(eval, "reward_mean"), figure(eval, "judge_agreement"),
                eval.get("abstain_rate").asDouble(), eval.get("seconds").asDouble());
    }

    /**
     * A task's preference pair, as indices into its group: a best- and a worst-rewarded rollout whose first turns
     * (asked the same prompt in every rollout) answered differently. Null when the rewards are flat or every such
     * pair answered alike: where a later agent changed the outcome, chosen equal to rejected would teach nothing.
     */
    private static int[] preference(List<Verdict> group, List<Trajectory> rollouts) {
        double hi = Double.NEGATIVE_INFINITY, lo = Double.POSITIVE_INFINITY;
        for (Verdict v : group) {
            if (v instanceof Verdict.Score s) {
                hi = Math.max(hi, s.normalized());
                lo = Math.min(lo, s.normalized());
            }
        }
        if (!(hi > lo)) return null;
        for (int b = 0; b < group.size(); b++) {
            if (!(group.get(b) instanceof Verdict.Score sb) || sb.normalized() != hi) continue;
            String chosen = firstAnswer(rollouts.get(b));
            for (int w = 0; w < group.size(); w++) {
                if (!(group.get(w) instanceof Verdict.Score sw) || sw.normalized() != lo) continue;
                String rejected = firstAnswer(rollouts.get(w));
                if (chosen != null && rejected != null && !chosen.strip().equals(rejected.strip())) return new int[] {b, w};
            }
        }
        return null;
    }

    private static String firstAnswer(Trajectory t) {
        return t.calls().isEmpty() ? null : t.calls().getFirst().output();
    }

    /**
     * The round's optimizer steps: its samples (or pairs) in {@code minibatches} consecutive slices, one step each.
     * Metrics are the last step's, with the trained-sample count summed.
     */
    private PolicyStep<?> train(PolicyTrainer trainer, List<Rollout> samples, List<PreferencePair> pairs, ObjectNode m) {
        Experiment.Algorithm a = experiment.algorithm();
        int k = a.minibatches() == null ? 1 : Math.max(1, a.minibatches());
        boolean dpo = a.name().equals("dpo");
        int n = dpo ? pairs.size() : samples.size();
        PolicyStep<?> last = null;
        int trained = 0;
        for (int i = 0; i < k; i++) {
            int from = n * i / k, to = n * (i + 1) / k;
            if (from == to) continue;
            try {
                last = switch (a.name()) {
                    case "grpo" -> {
                        Grpo grpo = Grpo.builder().clipLow(or(a.clipLow(), 0.2)).clipHigh(or(a.clipHigh(), 0.28))
                                .beta(or(a.beta(), 0.0)).build();
                        PolicyStep<Grpo.Metrics> s = trainer.step(grpo, samples.subList(from, to));
                        m.put("loss", s.metrics().loss()).put("clip_fraction", s.metrics().clipFraction())
                                .put("entropy", s.metrics().entropy());
                        if (!Double.isNaN(s.metrics().kl())) m.put("kl", s.metrics().kl());
                        trained += s.metrics().samples() - s.metrics().zeroAdvantage();
                        yield s;
                    }
                    case "rft" -> {
                        PolicyStep<Rft.Metrics> s = trainer.step(new Rft(or(a.threshold(), 0.5)), samples.subList(from, to));
                        m.put("loss", s.metrics().loss());
                        trained += s.metrics().kept();
                        yield s;
                    }
                    default -> {
                        PolicyStep<Dpo.Metrics> s = trainer.step(new Dpo(or(a.dpoBeta(), 0.1)), pairs.subList(from, to));
                        m.put("loss", s.metrics().loss()).put("dpo_margin", s.metrics().rewardMargin())
                                .put("dpo_accuracy", s.metrics().accuracy());
                        trained += s.metrics().pairs();
                        yield s;
                    }
                };
            } catch (IllegalArgumentException nothingToTrain) {
                // Every rollout in the slice flat or abstained: nothing to learn from it; the round goes on.
                out.println("  no training on slice " + (i + 1) + "/" + k + ": " + nothingToTrain.getMessage());
            }
        }
        m.put("trained_samples", trained);
        return last;
    }

    /** A policy turn as a training sample: the prompt exactly as the template renders the recorded messages. */
    static Rollout rollout(ModelCall c, ChatTemplate template, double reward, double advantage) {
        if (c.failed() || c.tokens().isEmpty()) return null;
        List<ChatMessage> messages = new ArrayList<>();
        for (Message msg : c.messages()) {
            switch (msg.role()) {
                case "system" -> messages.add(ChatMessage.system(msg.content()));
                case "user" -> messages.add(ChatMessage.user(msg.content()));
                case "assistant" -> messages.add(ChatMessage.assistant(msg.content()));
                default -> { return null; }
            }
        }
        int[] completion = new int[c.tokens().size()];
        float[] logProbs = new float[completion.length];
        for (int i = 0; i < completion.length; i++) {
            completion[i] = c.tokens().get(i).id();
            logProbs[i] = (float) c.tokens().get(i).logprob();
        }
        return Rollout.builder(template.prompt(messages), completion).logProbs(logProbs).reward(reward)
                .advantage(advantage).build();
    }

    /**
     * Held-out accuracy of the policy: greedy answers, and with {@code eval_samples} k, the mean over k answers
     * per task sampled at the rollout temperature (seeds fixed per task and sample, so rounds compare alike).
     */
    private ObjectNode evaluate(int round, DeepSeekV3Model policy, BpeTokenizer tokenizer, List<Problem> heldout) {
        int k = experiment.evalSamples();
        int correct = 0, sampledCorrect = 0;
        try (BuiltinModel served = BuiltinModel.of("builtin/policy", policy, tokenizer)) {
            ChatModel chat = new BuiltinChatModel(served);
            ChatModel greedy = new GreedyChatModel(chat, ANSWER_TOKENS);
            List<Callable<Boolean>> units = new ArrayList<>();
            for (int t = 0; t < heldout.size(); t++) {
                Problem p = heldout.get(t);
                units.add(() -> solves(workflow(greedy), "eval/" + p.id(), p));
                for (int s = 0; s < k; s++) {
                    long seed = evalSeed(t, s);
                    units.add(() -> solves(workflow(new PolicyChatModel(chat, experiment.temperature(), ANSWER_TOKENS, seed)),
                            "eval/" + p.id() + "/s" + seed, p));
                }
            }
            List<Boolean> results = executor.runAll(units);
            for (int i = 0; i < results.size(); i++) {
                if (!results.get(i)) continue;
                if (i % (k + 1) == 0) correct++; else sampledCorrect++;
            }
        }
        ObjectNode m = JSON.createObjectNode().put("id", roundId(round)).put("round", round)
                .put("heldout_correct", correct).put("heldout_total", heldout.size())
                .put("heldout_accuracy", heldout.isEmpty() ? 0 : (double) correct / heldout.size());
        if (k > 0) {
            int total = k * heldout.size();
            m.put("heldout_sampled_correct", sampledCorrect).put("heldout_sampled_total", total)
                    .put("heldout_sampled_accuracy", total == 0 ? 0 : (double) sampledCorrect / total);
        }
        return m;
    }

    private static boolean solves(Workflow w, String id, Problem p) {
        Trajectory t = w.run(new Task(id, p.question(), Map.of()));
        return t.output() != null && t.output().strip().equals(p.answer());
    }

    private long evalSeed(int task, int sample) {
        return ((experiment.seed() * 31 + 7_777) * 1_000_003L + task) * 1_009L + sample * 16L;
    }

    private Workflow workflow(ChatModel model) {
        return workflows.create(WorkflowSpec.fromJson(experiment.workflow()), model);
    }

    private TrainOptions trainOptions() {
        Integer warmup = experiment.algorithm().warmup();
        return TrainOptions.builder().lr((float) experiment.algorithm().lrOr(2e-4)).minLrRatio(1f).warmupSteps(warmup == null ? 0 : warmup)
                .steps((long) experiment.rounds() * Math.max(1, experiment.algorithm().minibatches() == null ? 1 : experiment.algorithm().minibatches())).batchSize(64).seqLen(256).seed(experiment.seed())
                // Fine-tuning on a round's few hundred samples: routing biases tuned in pretraining stay put, as
                // DeepSeek-V3 stops their updates late in training (gamma 0); small batches would only jostle them.
                .biasUpdateSpeed(0f).lossWeights(LossWeights.NONE).build();
    }

    private boolean needsReference() {
        Experiment.Algorithm a = experiment.algorithm();
        return a.name().equals("dpo") || (a.name().equals("grpo") && or(a.beta(), 0.0) > 0);
    }

    private List<Problem> sample(List<Problem> train, int round) {
        Random rng = new Random(experiment.seed() * 1_000_003L + round);
        List<Problem> pool = new ArrayList<>(train);
        List<Problem> out = new ArrayList<>();
        for (int i = 0; i < experiment.tasksPerRound() && !pool.isEmpty(); i++) out.add(pool.remove(rng.nextInt(pool.size())));
        return out;
    }

    private long rolloutSeed(int round, int task, int i) {
        return ((experiment.seed() * 31 + round) * 1_000_003L + task) * 1_009L + i * 16L;
    }

    private static void costs(List<Trajectory> rolled, ObjectNode m) {
        Map<String, Double> byAgent = new TreeMap<>(), byModel = new TreeMap<>();
        for (Trajectory t : rolled) {
            for (ModelCall c : t.calls()) {
                byAgent.merge(c.agent(), c.costUsd(), Double::sum);
                byModel.merge(c.model() == null ? "?" : c.model(), c.costUsd(), Double::sum);
            }
        }
        ObjectNode a = m.putObject("cost_by_agent"), b = m.putObject("cost_by_model");
        byAgent.forEach(a::put);
        byModel.forEach(b::put);
    }

    private void writeReport(Journal metrics, Journal trajectories, Journal verdicts) {
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
                    judge == null ? "(no judge)" : judge.path("raw").asText(),
                    v == null ? "" : reward(v.get("combined"))));
        }
        Report.write(dir, "Consilium run: " + experiment.name(), metrics.records(), examples);
    }

    /** A journaled verdict's reward as the report shows it: three decimals, or that the judge abstained. */
    private static String reward(JsonNode verdict) {
        JsonNode r = verdict.path("normalized");
        return r.isNumber() ? String.format(Locale.ROOT, "%.3f", r.asDouble()) : "abstained";
    }

    private static int lastDoneRound(Journal metrics) {
        int done = 0;
        for (JsonNode m : metrics.records()) done = Math.max(done, m.get("round").asInt());
        return done;
    }

    private Path roundDir(int round) {
        return dir.resolve("rounds").resolve(String.format("round-%04d", round));
    }

    private static String roundId(int round) {
        return String.format("round-%04d", round);
    }

    private double marginOr(double d) {
        return or(experiment.algorithm().margin(), d);
    }

    private static double or(Double v, double d) {
        return v == null ? d : v;
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

    /** {@code prefix}_correct/{@code prefix}_total ({@code prefix}_accuracy as a percent). */
    private static String fraction(JsonNode m, String prefix) {
        return String.format(Locale.ROOT, "%d/%d (%.1f%%)", m.get(prefix + "_correct").asInt(), m.get(prefix + "_total").asInt(),
                100 * m.get(prefix + "_accuracy").asDouble());
    }

    /** Regenerates {@code dir}'s report.html from its journals. */
    public static Path report(Path dir) {
        ExperimentRun run = resume(dir, System.out);
        try (Journal metrics = Journal.open(dir.resolve("metrics.jsonl"));
             Journal trajectories = Journal.open(dir.resolve("trajectories.jsonl"));
             Journal verdicts = Journal.open(dir.resolve("verdicts.jsonl"))) {
            run.writeReport(metrics, trajectories, verdicts);
        }
        return dir.resolve("report.html");
    }
}
