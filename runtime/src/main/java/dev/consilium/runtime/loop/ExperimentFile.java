package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.calibration.GoldSet;
import dev.consilium.runtime.journal.RunException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An experiment file as one way into {@link ExperimentRunBuilder}: its paths resolved against the file's
 * directory, its names looked up in a {@link PluginRegistry}, every task file read; all before anything is
 * written, so that a mistake is one error naming the key or the file and line, and leaves no run directory.
 */
public final class ExperimentFile {
    // the arithmetic judge's reading of a 4-digit answer is about 60 tokens; a derailed 5-digit one needs more
    static final int JUDGE_TOKENS = 96;
    // a group judge's reply reasons about each of G answers and ends with one score line per answer
    static final int GROUP_JUDGE_TOKENS = 1024;

    private ExperimentFile() {}

    /** A new run of the experiment in {@code file}. */
    public static ExperimentRun start(Path file, PluginRegistry plugins, PrintStream log) {
        Experiment e = Experiment.load(file);
        return start(e, baseOf(file), file.toString(), plugins, log);
    }

    /** A new run of {@code e}, whose relative paths are relative to {@code base}; {@code where} names it in errors. */
    public static ExperimentRun start(Experiment e, Path base, String where, PluginRegistry plugins, PrintStream log) {
        return start(e, base, where, plugins, log, SecretEnv.NONE);
    }

    /** As {@link #start(Experiment, Path, String, PluginRegistry, PrintStream)}, the judges' keys read from {@code secrets}. */
    public static ExperimentRun start(Experiment e, Path base, String where, PluginRegistry plugins, PrintStream log, SecretEnv secrets) {
        Experiment resolved = resolvePaths(e, base, where);
        return builder(resolved, where, plugins, resolved.judges().isEmpty() ? null : providers(resolved, secrets))
                .secrets(secrets).log(log).description(resolved.toJson()).build();
    }

    /** Continues the run in {@code dir} from its last finished round. */
    public static ExperimentRun resume(Path dir, PluginRegistry plugins, PrintStream log) {
        Path file = dir.resolve(RunDirectory.EXPERIMENT);
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunException("cannot resume " + dir + ": no readable experiment.json (" + e.getMessage() + ")", e);
        }
        if (json.contains("\"built_with\" : \"java\"")) {
            throw new RunException("cannot resume " + dir + " from the command line: its run was built in Java; resume it with the "
                    + "same ExperimentRun.builder() and .resume(true)");
        }
        Experiment e = Experiment.fromJson(json, file.toString());
        // Resolved when the run started, so its paths are absolute. A run started before experiment files were
        // resolved kept them as written, relative to the working directory it ran in.
        Experiment resolved;
        try {
            resolved = resolvePaths(e, baseOf(file), file.toString());
        } catch (IllegalArgumentException relativeToTheRun) {
            resolved = resolvePaths(e, Path.of("").toAbsolutePath(), file.toString());
        }
        return builder(resolved, file.toString(), plugins).log(log).out(dir).resume(true).build();
    }

    private static Path baseOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    /** {@code e} with its input paths (policy, task files, providers file, judges' checkpoint paths) made absolute. */
    static Experiment resolvePaths(Experiment e, Path base, String where) {
        String policy = existing(base, e.policy(), "policy", where, true);
        Experiment.Tasks t = e.tasks();
        Experiment.Tasks tasks = new Experiment.Tasks(existing(base, t.train(), "tasks.train", where, false),
                existing(base, t.heldout(), "tasks.heldout", where, false), t.heldoutLimit(), t.reader());
        List<Experiment.JudgeSpec> judges = new ArrayList<>();
        for (Experiment.JudgeSpec j : e.judges()) judges.add(new Experiment.JudgeSpec(judgeRef(base, j.model()), j.prompt(), j.weight(), j.mode()));
        String providers = e.providers() == null ? null : existing(base, e.providers(), "providers", where, false);
        Experiment.Probes probes = e.probes() == null || e.probes().gold() == null ? e.probes()
                : new Experiment.Probes(existing(base, e.probes().gold(), "probes.gold", where, false), e.probes().perRound());
        Experiment.JudgeRefreshSpec r = e.judgeRefresh();
        Experiment.JudgeRefreshSpec refresh = r == null || r.gold() == null ? r : new Experiment.JudgeRefreshSpec(r.judge(), r.every(),
                r.steps(), r.lr(), r.batchSize(), existing(base, r.gold(), "judge_refresh.gold", where, false), r.goldPerRefresh(), r.heldBack());
        return new Experiment(e.name(), policy, e.workflow(), tasks, judges, e.rewards(), e.algorithm(), e.rounds(), e.tasksPerRound(),
                e.rolloutsPerTask(), e.temperature(), e.seed(), e.budgetUsd(), e.out(), providers, e.credit(), e.evalSamples(),
                e.answerCheck(), e.answerTokens(), e.allowAbstainingJudges(), e.timeLimitMinutes(), probes, e.alarm(), refresh,
                e.executor());
    }

    private static String existing(Path base, String path, String key, String where, boolean directory) {
        Path p = base.resolve(path).normalize();
        if (directory ? !Files.isDirectory(p) : !Files.isRegularFile(p)) {
            throw new IllegalArgumentException(where + ": \"" + key + "\": no " + (directory ? "directory " : "file ") + p
                    + " (paths are relative to the experiment file)");
        }
        return p.toString();
    }

    /**
     * A judge's model: a checkpoint directory's path (relative to the experiment file, or absolute) runs on the
     * built-in model; {@code builtin/PATH} relative to the experiment file likewise; anything else is a model ref.
     */
    private static String judgeRef(Path base, String model) {
        if (model == null) return null;
        String path = model.startsWith(Providers.BUILTIN + "/") ? model.substring(Providers.BUILTIN.length() + 1) : model;
        if (path.isEmpty()) return model;
        Path p = base.resolve(path).normalize();
        if (Files.isRegularFile(p.resolve("config.json"))) return Providers.BUILTIN + "/" + p;
        return model;
    }

    /** The builder for an experiment whose paths are resolved: names looked up, task files read, values checked. */
    static ExperimentRunBuilder builder(Experiment e, String where, PluginRegistry plugins) {
        return builder(e, where, plugins, e.judges().isEmpty() ? null : providers(e));
    }

    /** As {@link #builder(Experiment, String, PluginRegistry)}, its judges' models built by {@code providers}. */
    static ExperimentRunBuilder builder(Experiment e, String where, PluginRegistry plugins, Providers providers) {
        try {
            ExperimentRunBuilder b = answering(e, plugins);
            TaskReader reader = reader(e, plugins);
            List<TaskRecord> train = reader.read(Path.of(e.tasks().train()), needsReference(e));
            if (train.isEmpty()) throw new IllegalArgumentException("\"tasks.train\": " + e.tasks().train() + " holds no tasks");
            b.tasks(train, heldout(e, reader));
            for (int i = 0; i < e.rewards().size(); i++) {
                Experiment.RewardSpec r = e.rewards().get(i);
                b.reward(plugins.reward(r.type(), "rewards[" + i + "].type"), weight(r.weight()));
            }
            List<GoldItem> probeGold = e.probes() == null ? List.of() : goldSet(e.probes().gold(), "probes.gold");
            List<GoldItem> refreshGold = List.of();
            if (e.judgeRefresh() != null && e.judgeRefresh().gold() != null) refreshGold = goldSet(e.judgeRefresh().gold(), "judge_refresh.gold");
            else if (e.judgeRefresh() != null) {
                // One gold set for both: split by task, so that the judge is never refreshed on a question it is probed on.
                List<List<GoldItem>> halves = GoldProbes.splitByTask(probeGold);
                probeGold = halves.get(0);
                refreshGold = halves.get(1);
            }
            // Before the judges are built, so that a refresh that cannot work is its own error, not a provider's.
            if (e.probes() != null) b.probes(new GoldProbes(probeGold, e.probes().perRoundOr(32)));
            if (e.judgeRefresh() != null) b.judgeRefresh(refresh(e, plugins, refreshGold));
            List<RewardFunction> judges = judges(e, plugins, providers, train);
            ProvidersConfig config = e.providers() == null || judges.isEmpty() ? null : ProvidersConfig.load(Path.of(e.providers()));
            for (int j = 0; j < judges.size(); j++) {
                Experiment.JudgeSpec s = e.judges().get(j);
                // each judge travels as its recipe, a group judge's naming its group prompt (one unit per task group)
                String prompt = s.prompt() != null ? s.prompt() : s.group() ? PluginRegistry.GROUP : PluginRegistry.POINTWISE;
                JudgeRecipe recipe = JudgeRecipe.of(s.model(), prompt, e.seed() + j, config, s.group());
                b.judge(judges.get(j), weight(s.weight()), recipe);
            }
            b.keyVariables.addAll(JudgeRecipe.keyVariables(config));
            b.algorithm(algorithm(e.algorithm())).pairMargin(e.algorithm().margin() == null ? 0.5 : e.algorithm().margin());
            b.rounds(e.rounds()).tasksPerRound(e.tasksPerRound()).rolloutsPerTask(e.rolloutsPerTask())
                    .evalSamples(e.evalSamples()).perTurnCredit(e.perTurnCredit()).out(Path.of(e.out()))
                    .allowAbstainingJudges(Boolean.TRUE.equals(e.allowAbstainingJudges()));
            if (e.alarm() != null) b.alarm(Experiment.alarm(e.alarm()));
            if (e.executor() != null) b.executor(e.executor().options(), plugins.loader());
            if (e.budgetUsd() > 0) b.budgetUsd(e.budgetUsd());
            if (e.timeLimitMinutes() != null) b.deadline(Instant.now().plus(Duration.ofSeconds(Math.round(e.timeLimitMinutes() * 60))));
            return b;
        } catch (IllegalArgumentException ex) {
            throw located(ex, where);
        }
    }

    /**
     * The experiment's judges, in its order, as its run judges with them: each prompt looked up by name, checked to
     * fit its model's context on {@code tasks}, over its model decoding greedily within {@link #JUDGE_TOKENS}.
     */
    static List<RewardFunction> judges(Experiment e, PluginRegistry plugins, Providers providers, List<TaskRecord> tasks) {
        List<RewardFunction> out = new ArrayList<>();
        for (int j = 0; j < e.judges().size(); j++) {
            Experiment.JudgeSpec s = e.judges().get(j);
            if (s.group()) {
                GroupJudgePrompt group = plugins.groupJudgePrompt(s.prompt() == null ? PluginRegistry.GROUP : s.prompt(), "judges[" + j + "].prompt");
                ChatModel model = GreedyChatModel.byDefault(providers.chatModel(s.model()), GROUP_JUDGE_TOKENS);
                out.add(new GroupJudgeFunction(group.judge(model, s.model(), e.seed() + j)));
                continue;
            }
            JudgePrompt prompt = plugins.judgePrompt(s.prompt() == null ? PluginRegistry.POINTWISE : s.prompt(), "judges[" + j + "].prompt");
            JudgeContext.check(prompt, s.model(), JUDGE_TOKENS, tasks, "judges[" + j + "].prompt");
            ChatModel model = GreedyChatModel.byDefault(providers.chatModel(s.model()), JUDGE_TOKENS);
            out.add(prompt.judge(model, s.model(), e.seed() + j));
        }
        return out;
    }

    /**
     * The held-out evaluation a run of the experiment in {@code file} makes of its policy each round, made of the
     * checkpoint in {@code checkpoint}: the experiment's workflow (plugins' types included), answer tokens and answer
     * check, greedy answers (no sampled ones), on {@code tasks} read by the experiment's task reader, or where
     * {@code tasks} is null on its held-out split cut to its {@code heldout_limit}. Its judges are not built: an
     * API judge's key is not needed to measure a policy. What {@code consilium eval} prints.
     */
    public static Evaluation evaluate(Path file, PluginRegistry plugins, Path checkpoint, Path tasks) {
        String where = file.toString();
        Experiment e = resolvePaths(Experiment.load(file), baseOf(file), where);
        ExperimentRunBuilder b;
        TaskReader reader;
        List<TaskRecord> heldout = null;
        try {
            b = answering(e, plugins);
            reader = reader(e, plugins);
            if (tasks == null) heldout = heldout(e, reader);
        } catch (IllegalArgumentException ex) {
            throw located(ex, where);
        }
        // A task file of the user's own: its errors name that file and line, not the experiment.
        if (heldout == null) heldout = reader.read(tasks, needsReference(e));
        return new ExperimentRun(b.tasks(List.of(), heldout)).evaluate(checkpoint);
    }

    /** How the experiment's policy answers and is checked: its workflow, answer check, answer tokens, temperature and seed. */
    private static ExperimentRunBuilder answering(Experiment e, PluginRegistry plugins) {
        ExperimentRunBuilder b = ExperimentRun.builder().name(e.name()).policy(Path.of(e.policy()));
        WorkflowSpec spec = WorkflowSpec.fromJson(e.workflow());
        if (!plugins.workflows().types().contains(spec.type())) {
            throw new IllegalArgumentException("\"workflow.type\": unknown \"" + spec.type() + "\"; known: " + plugins.workflows().types());
        }
        plugins.workflows().create(spec, UNUSED);   // its parameters checked now, not in the first rollout
        b.workflow(plugins.workflows(), spec);
        b.answerCheck(plugins.answerCheck(e.answerCheck() == null ? "exact" : e.answerCheck(), "answer_check"));
        b.temperature(e.temperature()).seed(e.seed());
        if (e.answerTokens() != null) b.answerTokens(e.answerTokens());
        return b;
    }

    private static TaskReader reader(Experiment e, PluginRegistry plugins) {
        return plugins.taskReader(e.tasks().reader() == null ? JsonlTasks.NAME : e.tasks().reader(), "tasks.reader");
    }

    /** The default answer check and verifiable rewards compare with the reference; a plugin's check may not need one. */
    private static boolean needsReference(Experiment e) {
        return e.answerCheck() == null || e.answerCheck().equals("exact") || !e.rewards().isEmpty();
    }

    /** The held-out split, cut to {@code heldout_limit}. */
    private static List<TaskRecord> heldout(Experiment e, TaskReader reader) {
        List<TaskRecord> heldout = reader.read(Path.of(e.tasks().heldout()), needsReference(e));
        return e.tasks().heldoutLimit() == null ? heldout : heldout.subList(0, Math.min(heldout.size(), e.tasks().heldoutLimit()));
    }

    /** {@code ex} with its message starting with {@code where}, the file it is about. */
    private static IllegalArgumentException located(IllegalArgumentException ex, String where) {
        String m = ex.getMessage();
        return m != null && m.startsWith(where) ? ex : new IllegalArgumentException(where + ": " + m, ex);
    }

    /** The gold set of {@code key}, its errors naming the key with the file and line. */
    private static List<GoldItem> goldSet(String file, String key) {
        try {
            return GoldSet.read(Path.of(file));
        } catch (IllegalArgumentException | UncheckedIOException ex) {
            throw new IllegalArgumentException("\"" + key + "\": " + ex.getMessage(), ex);
        }
    }

    /**
     * The experiment's {@code judge_refresh}: its judge must run on a built-in checkpoint, pointwise, with a prompt
     * whose judge a registered trainer knows how to fine-tune; rebuilt as {@link #judges} builds it.
     */
    private static JudgeRefresh refresh(Experiment e, PluginRegistry plugins, List<GoldItem> gold) {
        Experiment.JudgeRefreshSpec s = e.judgeRefresh();
        int j = s.judge() == null ? 0 : s.judge();
        Experiment.JudgeSpec judge = e.judges().get(j);
        if (judge.group()) {
            throw new IllegalArgumentException("\"judge_refresh.judge\": judges[" + j + "] judges in groups; a refresh trains a pointwise judge's reading");
        }
        Path checkpoint = builtinCheckpoint(judge.model());
        if (checkpoint == null) {
            throw new IllegalArgumentException("\"judge_refresh\": judges[" + j + "] runs on " + judge.model() + ", not a built-in "
                    + "checkpoint; only a built-in judge can be refreshed (an API judge's weights are not ours to train)");
        }
        String prompt = judge.prompt() == null ? PluginRegistry.POINTWISE : judge.prompt();
        return JudgeRefresh.builder().judge(j).checkpoint(checkpoint)
                .prompt(plugins.judgePrompt(prompt, "judges[" + j + "].prompt"), judge.model(), e.seed() + j)
                .trainer(plugins.trainableJudge(prompt, "judges[" + j + "].prompt"))
                .every(s.every() == null ? 0 : s.every()).options(JudgeRefresh.options(s))
                .gold(gold, s.goldPerRefresh() == null ? JudgeRefresh.DEFAULT_GOLD_PER_REFRESH : s.goldPerRefresh())
                .heldBack(s.heldBack() == null ? JudgeRefresh.DEFAULT_HELD_BACK : s.heldBack())
                .build();
    }

    /** The checkpoint directory a {@code builtin/PATH-OR-NAME} judge runs on (a name under {@code models/}); null for any other model. */
    static Path builtinCheckpoint(String model) {
        if (!model.startsWith(Providers.BUILTIN + "/")) return null;
        String rest = model.substring(Providers.BUILTIN.length() + 1);
        for (Path p : List.of(Path.of(rest), Path.of("models").resolve(rest))) {
            if (Files.isRegularFile(p.resolve("config.json"))) return p.toAbsolutePath().normalize();
        }
        return null;
    }

    static Providers providers(Experiment e) {
        return providers(e, SecretEnv.NONE);
    }

    /** The experiment's providers, their keys read from {@code secrets} (then this JVM's environment). */
    static Providers providers(Experiment e, SecretEnv secrets) {
        Providers.Builder b = Providers.builder().env(secrets::get);
        if (e.providers() != null) b.config(ProvidersConfig.load(Path.of(e.providers())));
        return b.build();
    }

    static Algorithm algorithm(Experiment.Algorithm a) {
        int minibatches = a.minibatches() == null ? 1 : a.minibatches(), warmup = a.warmup() == null ? 0 : a.warmup();
        double lr = a.lrOr(2e-4);
        return switch (a.name()) {
            case "grpo" -> new Algorithm.Grpo(lr, or(a.clipLow(), 0.2), or(a.clipHigh(), 0.28), or(a.beta(), 0.0), minibatches, warmup);
            case "rft" -> new Algorithm.Rft(lr, or(a.threshold(), 0.5), minibatches, warmup);
            case "dpo" -> new Algorithm.Dpo(lr, or(a.dpoBeta(), 0.1), minibatches, warmup);
            default -> throw new IllegalArgumentException("\"algorithm.name\" must be grpo, rft or dpo, was " + a.name());
        };
    }

    private static double or(Double v, double d) {
        return v == null ? d : v;
    }

    private static double weight(Double w) {
        return w == null ? 1.0 : w;
    }

    /** The model a workflow is built over to check its spec: building one asks nothing of it. */
    private static final ChatModel UNUSED = new ChatModel() {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            throw new IllegalStateException("a workflow asked its model while being built");
        }
    };
}
