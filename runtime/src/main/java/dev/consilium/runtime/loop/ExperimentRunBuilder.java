package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.rewards.function.Compose;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.judge.GroupJudge;
import dev.consilium.runtime.seam.ExecutorOptions;
import dev.consilium.runtime.seam.ExecutorProvider;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything an {@link ExperimentRun} is made of, with the defaults of experiment files:
 * <pre>{@code
 * ExperimentRun run = ExperimentRun.builder()
 *         .name("my-task").policy(Path.of("models/demo-policy"))
 *         .workflow(policy -> Agent.builder().name("solver").role("...").model(policy).build())
 *         .tasks(train, heldout)                        // TaskRecords: id, input, reference, metadata
 *         .reward(myReward, 1.0)                        // any RewardFunction; .judge(...) for LLM judges
 *         .algorithm(Algorithm.Grpo.defaults())
 *         .rounds(2).tasksPerRound(8).rolloutsPerTask(4).seed(1)
 *         .out(Path.of("runs/my-task"))
 *         .build();
 * ExperimentRun.Result r = run.run();
 * }</pre>
 * {@link #build} checks what a run needs before anything is written: a missing part or a value out of range
 * is an error naming it.
 */
public final class ExperimentRunBuilder {
    String name = "experiment";
    Path policy;
    PolicyWorkflow workflow;
    List<TaskRecord> train = List.of(), heldout = List.of();
    final List<Compose.Weighted> judges = new ArrayList<>(), functions = new ArrayList<>();
    /** By judge: how an executor in another JVM rebuilds it; null for a judge built in Java, judged on the driver. */
    final List<JudgeRecipe> judgeRecipes = new ArrayList<>();
    /** Where the judges' keys are read on the driver, to ship to executors: this JVM's environment by default. */
    SecretEnv secrets = SecretEnv.NONE;
    /** The variables the judges' keys are in (the providers file's {@code apiKeyEnv}s), shipped with remote judging units. */
    final List<String> keyVariables = new ArrayList<>();
    AnswerCheck check = AnswerCheck.exact();
    Algorithm algorithm = Algorithm.Grpo.defaults();
    /** Units of work in flight at once in this JVM by default. */
    static final int CONCURRENCY = 64;
    RolloutExecutor executor = RolloutExecutor.inProcess(CONCURRENCY);
    UnitExecutor units;
    ExecutorOptions executorOptions;
    ClassLoader executorLoader;
    Limits limits = Limits.NONE;
    GoldProbes probes;
    Alarm alarm;
    JudgeRefresh refresh;
    int rounds = 1, tasksPerRound = 16, rolloutsPerTask = 8, evalSamples, answerTokens = 12;
    double temperature = 1.0, pairMargin = 0.5;
    long seed;
    boolean perTurnCredit, allowAbstainingJudges, resume;
    Path out;
    PrintStream log = System.out;
    String description;

    ExperimentRunBuilder() {}

    public ExperimentRunBuilder name(String v) { name = v; return this; }
    /** The starting policy: a built-in checkpoint directory (config.json, model.safetensors, tokenizer.json). */
    public ExperimentRunBuilder policy(Path v) { policy = v; return this; }
    public ExperimentRunBuilder workflow(PolicyWorkflow v) { workflow = v; return this; }
    public ExperimentRunBuilder workflow(WorkflowFactory factory, WorkflowSpec spec) { return workflow(PolicyWorkflow.of(factory, spec)); }
    /** Rounds sample their tasks from {@code train}; {@code heldout} measures the policy after each round. */
    public ExperimentRunBuilder tasks(List<TaskRecord> train, List<TaskRecord> heldout) {
        this.train = List.copyOf(train);
        this.heldout = List.copyOf(heldout);
        return this;
    }
    /** An LLM judge (any reward function built from the rewards module's judges) scoring whole transcripts. */
    public ExperimentRunBuilder judge(RewardFunction judge, double weight) { return judge(judge, weight, null); }
    /** A judge an executor in another JVM can rebuild from {@code recipe} (null: judged on the driver). */
    ExperimentRunBuilder judge(RewardFunction judge, double weight, JudgeRecipe recipe) {
        judges.add(Compose.term(judge, weight));
        judgeRecipes.add(recipe);
        return this;
    }
    /**
     * Where the judges' API keys are read on the driver ({@link SecretEnv#get}: the given values, then this JVM's
     * environment), by the names the providers file gives; on a remote executor they travel inside the judging
     * units, never in the engine's configuration.
     */
    public ExperimentRunBuilder secrets(SecretEnv v) { secrets = java.util.Objects.requireNonNull(v, "secrets"); return this; }
    /**
     * An LLM judge scoring each task's G rollouts in one call ({@code "mode": "group"} in a file), each its own verdict;
     * with outcome credit only (a group call compares whole transcripts, not turns).
     */
    public ExperimentRunBuilder groupJudge(GroupJudge judge, double weight) { return judge(new GroupJudgeFunction(judge), weight); }
    /** A reward function scoring each rollout's final answer. */
    public ExperimentRunBuilder reward(RewardFunction function, double weight) { functions.add(Compose.term(function, weight)); return this; }
    /** The ground truth of held-out evaluation and of judge agreement; exact match with the reference by default. */
    public ExperimentRunBuilder answerCheck(AnswerCheck v) { check = v; return this; }
    public ExperimentRunBuilder algorithm(Algorithm v) { algorithm = v; return this; }
    /** The threads rollouts, judgments and held-out answers run on in this process; 64 virtual threads by default. */
    public ExperimentRunBuilder executor(RolloutExecutor v) { executor = v; return this; }
    /**
     * Where rollouts and held-out answers run as serialisable units, e.g. the cluster module's Spark executor;
     * this JVM's threads ({@link #executor(RolloutExecutor)}) by default. The run does not close it.
     */
    public ExperimentRunBuilder executor(UnitExecutor v) { units = v; return this; }
    /**
     * The engine by name ({@code spark}, with its master URL and settings), opened when the run starts from the
     * {@link ExecutorProvider}s on the class path and closed when it ends.
     */
    public ExperimentRunBuilder executor(ExecutorOptions v) { return executor(v, Thread.currentThread().getContextClassLoader()); }
    ExperimentRunBuilder executor(ExecutorOptions v, ClassLoader loader) {
        executorOptions = v.inProcess() ? null : v;
        executorLoader = loader;
        return this;
    }
    public ExperimentRunBuilder limits(Limits v) { limits = v; return this; }
    public ExperimentRunBuilder deadline(Instant v) { limits = new Limits(v, limits.budgetUsd()); return this; }
    public ExperimentRunBuilder budgetUsd(double v) { limits = new Limits(limits.deadline(), v); return this; }
    public ExperimentRunBuilder rounds(int v) { rounds = v; return this; }
    public ExperimentRunBuilder tasksPerRound(int v) { tasksPerRound = v; return this; }
    /** G, the group each task's rollouts are compared within. */
    public ExperimentRunBuilder rolloutsPerTask(int v) { rolloutsPerTask = v; return this; }
    public ExperimentRunBuilder temperature(double v) { temperature = v; return this; }
    /** Held-out tasks are answered greedily, and with k > 0 also k times at the rollout temperature. */
    public ExperimentRunBuilder evalSamples(int v) { evalSamples = v; return this; }
    /** The most tokens one answer of the policy may have. */
    public ExperimentRunBuilder answerTokens(int v) { answerTokens = v; return this; }
    public ExperimentRunBuilder seed(long v) { seed = v; return this; }
    /** Each turn credited with the verdict on the transcript up to it, instead of the run's outcome. */
    public ExperimentRunBuilder perTurnCredit(boolean v) { perTurnCredit = v; return this; }
    /** The least score gap between the two sides of a preference pair (DPO's data); 0.5 by default. */
    public ExperimentRunBuilder pairMargin(double v) { pairMargin = v; return this; }
    /** Go on training on the other rewards when every judge verdict of a round abstains (stop, by default). */
    public ExperimentRunBuilder allowAbstainingJudges(boolean v) { allowAbstainingJudges = v; return this; }
    /** Gold-labelled items judged in among every round's rollouts; the judges' agreement on them is journaled. */
    public ExperimentRunBuilder probes(GoldProbes v) { probes = v; return this; }
    /** The reward-hacking alarm, checked after every round (none by default). */
    public ExperimentRunBuilder alarm(Alarm v) { alarm = v; return this; }
    /**
     * Fine-tunes a built-in judge between rounds on gold items and the round's rollouts labelled by the answer check
     * (none by default); gold items whose task is a probe's are dropped from it, so the probes still measure the judge.
     */
    public ExperimentRunBuilder judgeRefresh(JudgeRefresh v) { refresh = v; return this; }
    /** The run directory. */
    public ExperimentRunBuilder out(Path v) { out = v; return this; }
    /** Continue the run in {@link #out} from its last finished round instead of starting one there. */
    public ExperimentRunBuilder resume(boolean v) { resume = v; return this; }
    /** Where progress lines go; System.out by default. */
    public ExperimentRunBuilder log(PrintStream v) { log = v; return this; }
    /** The experiment as the run directory's experiment.json keeps it (an experiment file's resolved form). */
    ExperimentRunBuilder description(String json) { description = json; return this; }

    public ExperimentRun build() {
        require(policy != null, "policy: give the starting policy's checkpoint directory");
        require(workflow != null, "workflow: give the workflow the policy runs");
        require(!train.isEmpty(), "tasks: no training tasks");
        require(!judges.isEmpty() || !functions.isEmpty(), "give at least one judge or reward");
        require(rounds >= 1, "\"rounds\" must be >= 1, was " + rounds);
        require(tasksPerRound >= 1, "\"tasks_per_round\" must be >= 1, was " + tasksPerRound);
        require(rolloutsPerTask >= 2, "\"rollouts_per_task\" must be >= 2 (advantages compare a group), was " + rolloutsPerTask);
        require(temperature > 0, "\"temperature\" must be > 0 for rollouts, was " + temperature);
        require(evalSamples >= 0, "\"eval_samples\" must be >= 0, was " + evalSamples);
        require(answerTokens >= 1, "\"answer_tokens\" must be >= 1, was " + answerTokens);
        require(algorithm.minibatches() >= 1, "\"algorithm.minibatches\" must be >= 1, was " + algorithm.minibatches());
        long steps = (long) rounds * algorithm.minibatches();
        require(algorithm.warmup() >= 0 && algorithm.warmup() <= steps, "\"algorithm.warmup\" (" + algorithm.warmup()
                + ") must be between 0 and the run's optimizer steps, rounds x minibatches = " + steps);
        require(probes == null || !judges.isEmpty(), "\"probes\": gold probes measure judges; give at least one judge");
        require(!perTurnCredit || !GroupJudging.any(judges), "a group judge scores whole transcripts side by side, not each turn's: "
                + "use outcome credit with it (\"credit\": \"outcome\"), or a pointwise judge for per-turn credit");
        require(alarm == null || alarm.action() != Alarm.Action.REFRESH || refresh != null,
                "\"alarm.action\": refresh needs a judge refresh (judgeRefresh(...), \"judge_refresh\" in a file): which built-in judge, what to train it on");
        if (refresh != null) {
            require(refresh.judge() < judges.size(), "\"judge_refresh.judge\" must name one of the " + judges.size()
                    + " judges, was " + refresh.judge());
            require(!(judges.get(refresh.judge()).function() instanceof GroupJudgeFunction),
                    "\"judge_refresh.judge\": judge " + refresh.judge() + " judges in groups; a refresh trains a pointwise judge's reading");
            if (probes != null) refresh = refresh.without(probes.gold());
        }
        Objects.requireNonNull(check, "answerCheck");
        Objects.requireNonNull(executor, "executor");
        checkTravels();
        if (out == null) out = Path.of("runs", name);
        if (!resume) RunDirectory.refuseRun(out);
        return new ExperimentRun(this);
    }

    /** The keys remote judging units carry: each named variable that has a value on the driver (an executor reads the rest from its own environment). */
    SecretEnv shippedSecrets() {
        java.util.Map<String, String> values = new java.util.TreeMap<>();
        for (String v : keyVariables) {
            String value = secrets.get(v);
            if (value != null && !value.isEmpty()) values.put(v, value);
        }
        if (!values.isEmpty()) log.println("judging units carry the keys of " + values.keySet() + " (names only are shown)");
        return values.isEmpty() ? SecretEnv.NONE : SecretEnv.of(values);
    }

    /** A workflow that cannot be rebuilt by name is refused before a run on executors in other JVMs starts. */
    void checkTravels() {
        if (units != null && units.remote()) {
            String why = PolicySpec.whyNotTravelling(workflow);
            if (why != null) throw new IllegalArgumentException(why);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** experiment.json for a run built in Java: what it was, for the reader; resuming it takes the same builder. */
    String description() {
        if (description != null) return description;
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode().put("name", name).put("policy", policy.toString()).put("built_with", "java")
                .put("rounds", rounds).put("tasks_per_round", tasksPerRound).put("rollouts_per_task", rolloutsPerTask)
                .put("seed", seed).put("algorithm", algorithm.toString());
        return o.toPrettyString();
    }
}
