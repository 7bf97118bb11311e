package dev.consilium.runtime.loop;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.consilium.runtime.seam.ExecutorOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A self-improvement experiment, as written in a JSON or YAML file (snake_case keys). Unknown keys, a missing
 * required key and an out-of-range value are errors that name the field. {@link ExperimentFile} resolves one
 * into an {@link ExperimentRunBuilder}: file paths relative to the experiment file, names (workflow types,
 * reward types, judge prompts, task readers, answer checks) looked up among the built-in ones and plugins'.
 *
 * <pre>{@code
 * {"name": "arithmetic-demo", "policy": "../models/demo-policy",
 *  "workflow": {"type": "solver-reviser"},
 *  "tasks": {"train": "../datasets/arithmetic/train.jsonl", "heldout": "../datasets/arithmetic/heldout.jsonl",
 *            "reader": "arithmetic"},
 *  "judges": [{"model": "builtin/demo-judge", "prompt": "arithmetic-judge", "weight": 1.0}],
 *  "rewards": [{"type": "exact_match", "weight": 0.0}],
 *  "algorithm": {"name": "grpo", "lr": 2e-4, "clip_low": 0.2, "clip_high": 0.28, "beta": 0.0},
 *  "rounds": 10, "tasks_per_round": 16, "rollouts_per_task": 8, "credit": "per-turn", "eval_samples": 4,
 *  "seed": 1, "out": "runs/demo"}
 * }</pre>
 * Held-out tasks are always answered greedily; {@code eval_samples} k > 0 also samples each k times at the
 * rollout temperature, the policy as it acts in rollouts (DeepSeek-R1's pass@1 is measured this way).
 * Swapping the judge for an API model is one line: {@code "model": "openai/gpt-4o-mini"} (its key from the
 * environment, as every provider reads it). A judge's model may also be a checkpoint directory's path, which
 * runs it on the built-in model. Optional: {@code answer_check} (default {@code exact}), {@code answer_tokens}
 * (the longest answer, default 12), {@code allow_abstaining_judges} (default false: a round where every judge
 * verdict abstains stops the run), {@code budget_usd} (0: none) and {@code time_limit_minutes}, checked between
 * rounds. {@code out}, the run directory, is relative to the working directory. {@code probes}
 * ({@code {"gold": "../datasets/judge/arithmetic.jsonl", "per_round": 32}}) judges gold-labelled items in among each
 * round's rollouts and journals the judge's agreement on them; {@code alarm} ({@code {"min_probe_agreement": 0.9,
 * "max_reward_gap": 0.2, "action": "warn"}}) warns, stops, or ({@code "refresh"}) refreshes the judge, when the judge is
 * being gamed. {@code judge_refresh} ({@code {"every": 5, "steps": 40}}) fine-tunes a built-in judge between rounds on
 * gold items and the round's rollouts labelled by the answer check ({@link JudgeRefresh}); with no {@code gold} of its
 * own it takes the half of the probes' gold set whose tasks the probes do not get ({@link GoldProbes#splitByTask}).
 * A judge's {@code "mode": "group"} judges each task's G rollouts in one call ({@link GroupJudgeFunction}), with
 * outcome credit. {@code executor}
 * ({@code {"type": "spark", "master": "spark://head:7077", "conf": {"spark.executor.memory": "4g"}}}) runs the rollouts
 * and held-out answers on an engine a jar on the class path provides (docs/CLUSTER.md); in-process by default.
 */
public record Experiment(String name, String policy, ObjectNode workflow, Tasks tasks, List<JudgeSpec> judges,
                         List<RewardSpec> rewards, Algorithm algorithm, int rounds, int tasksPerRound,
                         int rolloutsPerTask, double temperature, long seed, double budgetUsd, String out,
                         String providers, String credit, int evalSamples, String answerCheck, Integer answerTokens,
                         Boolean allowAbstainingJudges, Double timeLimitMinutes, Probes probes, AlarmSpec alarm,
                         @JsonInclude(JsonInclude.Include.NON_NULL) JudgeRefreshSpec judgeRefresh,
                         ExecutorSpec executor) {

    /** Every turn shares how the run ended ({@code credit: outcome}, the default). */
    public static final String OUTCOME = "outcome";
    /**
     * Each turn is credited with the verdict on the transcript up to and including it ({@code credit: per-turn}):
     * a solver's wrong proposal that a reviser fixed is not reinforced with the reviser's success.
     */
    public static final String PER_TURN = "per-turn";

    /**
     * Train and held-out task files, read by {@code reader} (default {@code jsonl}: {@code {"id","input","reference"}}
     * lines, or {@code question}/{@code answer}); optional cap on held-out tasks.
     */
    public record Tasks(String train, String heldout, Integer heldoutLimit, String reader) {
        public Tasks(String train, String heldout, Integer heldoutLimit) {
            this(train, heldout, heldoutLimit, null);
        }
    }

    /**
     * Gold probes: {@code gold}, a gold set ({@code datasets/judge/} format, relative to the experiment file), whose
     * pointwise items are mixed {@code per_round} at a time (default 32) into every round's judging.
     */
    public record Probes(String gold, @JsonProperty("per_round") Integer perRound) {
        public int perRoundOr(int d) { return perRound == null ? d : perRound; }
    }

    /**
     * The reward-hacking alarm: {@code min_probe_agreement} (default 0.9), {@code max_reward_gap} between the training
     * reward and the truth (default 0.2), {@code action} {@code warn} (default) or {@code stop}.
     */
    public record AlarmSpec(@JsonProperty("min_probe_agreement") Double minProbeAgreement,
                            @JsonProperty("max_reward_gap") Double maxRewardGap, String action) {}

    /**
     * An LLM judge: a model ref, the prompt it is asked with (default {@code pointwise}, or a plugin's; in group mode
     * default {@code group}), its weight, and its {@code mode}: {@code pointwise} (default, one call per transcript)
     * or {@code group} (one call per task's G rollouts, each answer its own verdict, see {@link GroupJudgeFunction}).
     */
    public record JudgeSpec(String model, String prompt, Double weight, @JsonInclude(JsonInclude.Include.NON_NULL) String mode) {
        public JudgeSpec(String model, String prompt, Double weight) {
            this(model, prompt, weight, null);
        }

        public boolean group() {
            return GROUP.equals(mode);
        }
    }

    /** {@code judges[i].mode} for one call per task group ({@link GroupJudgeFunction}). */
    public static final String GROUP = "group";

    /**
     * Judge refresh ({@link JudgeRefresh}): the built-in judge {@code judge} (index into {@code judges}, default 0) is
     * fine-tuned for {@code steps} optimizer steps (default 40; {@code lr} default 3e-4, {@code batch_size} default 8)
     * every {@code every} rounds (absent or 0: only when the alarm with action {@code refresh} fires) on
     * {@code gold_per_refresh} items (default 64) of {@code gold} (default: the probes' gold set's other half) and the
     * round's rollouts labelled by the answer check; {@code held_back} of them (default 32) are not trained on and
     * measure its agreement before and after.
     */
    public record JudgeRefreshSpec(Integer judge, Integer every, Long steps, Double lr, @JsonProperty("batch_size") Integer batchSize,
                                   String gold, @JsonProperty("gold_per_refresh") Integer goldPerRefresh,
                                   @JsonProperty("held_back") Integer heldBack) {}

    /**
     * Where the run's rollouts and held-out answers run: {@code type} {@code in-process} (the default) or an engine a
     * jar on the class path provides ({@code spark}, from the cluster module), its {@code master} URL and engine
     * settings in {@code conf}. {@code consilium run --executor/--master/--conf} overrides it.
     */
    public record ExecutorSpec(String type, String master, Map<String, String> conf) {
        public ExecutorOptions options() {
            return new ExecutorOptions(type, master, conf);
        }
    }


    /** A reward function by name ({@code exact_match} against the task's answer, or a plugin's), with its weight. */
    public record RewardSpec(String type, Double weight) {}

    /**
     * {@code grpo} (clip_low, clip_high, beta: KL to the starting policy, 0 skips it), {@code rft} (threshold) or
     * {@code dpo} (dpo_beta; pairs of best and worst solver answers per task); lr for all, and minibatches: the
     * optimizer steps each round's samples are split into (default 1; more steps move further per round, which
     * GRPO's clipped ratio keeps in check), warmup: optimizer steps over which the learning rate ramps up from 0
     * (default 0). The optimizer starts fresh, and Adam's first steps move every weight by about lr whatever its
     * gradient's size; a few steps of warmup let its moment estimates settle first.
     */
    public record Algorithm(String name, Double lr, @JsonProperty("clip_low") Double clipLow,
                            @JsonProperty("clip_high") Double clipHigh, Double beta, Double threshold,
                            @JsonProperty("dpo_beta") Double dpoBeta, Double margin, Integer minibatches, Integer warmup) {
        public double lrOr(double d) { return lr == null ? d : lr; }
    }

    private static final ObjectMapper JSON = mapper(new ObjectMapper());
    private static final ObjectMapper YAML = mapper(new ObjectMapper(new YAMLFactory()));

    private static ObjectMapper mapper(ObjectMapper m) {
        return m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Reads and validates {@code file} ({@code .yaml}/{@code .yml} as YAML, anything else as JSON). */
    public static Experiment load(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper m = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
        try {
            return parse(m.readTree(Files.readString(file)), file.toString());
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(file + ": " + describe(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static Experiment parse(JsonNode tree, String where) throws IOException {
        if (tree == null || !tree.isObject()) throw new IllegalArgumentException(where + ": expected an object");
        Experiment e;
        try {
            e = JSON.treeToValue(tree, Experiment.class);
        } catch (JsonMappingException ex) {
            throw new IllegalArgumentException(where + ": " + describe(ex), ex);
        }
        // After the mapping, so that a misspelt key ("round") is named as such rather than as the key it replaced.
        for (String required : List.of("name", "policy", "workflow", "tasks", "rounds")) {
            if (!tree.hasNonNull(required)) throw new IllegalArgumentException(where + ": missing \"" + required + "\"");
        }
        return e.validated(where);
    }

    private Experiment validated(String where) {
        if (tasks.train() == null) throw new IllegalArgumentException(where + ": missing \"tasks.train\"");
        if (tasks.heldout() == null) throw new IllegalArgumentException(where + ": missing \"tasks.heldout\"");
        if (rounds < 1) throw new IllegalArgumentException(where + ": \"rounds\" must be >= 1, was " + rounds);
        if (tasksPerRound < 1) throw new IllegalArgumentException(where + ": \"tasks_per_round\" must be >= 1, was " + tasksPerRound);
        if (rolloutsPerTask < 2) throw new IllegalArgumentException(where + ": \"rollouts_per_task\" must be >= 2 (advantages compare a group), was " + rolloutsPerTask);
        if (!(temperature > 0)) throw new IllegalArgumentException(where + ": \"temperature\" must be > 0 for rollouts, was " + temperature);
        if (!workflow.hasNonNull("type")) throw new IllegalArgumentException(where + ": missing \"workflow.type\"");
        if (judges.isEmpty() && rewards.isEmpty()) throw new IllegalArgumentException(where + ": give at least one of \"judges\" or \"rewards\"");
        for (int i = 0; i < judges.size(); i++) {
            if (judges.get(i).model() == null) throw new IllegalArgumentException(where + ": missing \"judges[" + i + "].model\"");
        }
        for (int i = 0; i < rewards.size(); i++) {
            if (rewards.get(i).type() == null) throw new IllegalArgumentException(where + ": missing \"rewards[" + i + "].type\"");
        }
        int minibatches = algorithm.minibatches() == null ? 1 : algorithm.minibatches();
        if (minibatches < 1) throw new IllegalArgumentException(where + ": \"algorithm.minibatches\" must be >= 1, was " + minibatches);
        if (algorithm.warmup() != null && (algorithm.warmup() < 0 || algorithm.warmup() > (long) rounds * minibatches)) {
            throw new IllegalArgumentException(where + ": \"algorithm.warmup\" (" + algorithm.warmup() + ") must be between 0 and the run's "
                    + "optimizer steps, rounds x minibatches = " + (long) rounds * minibatches);
        }
        if (answerTokens != null && answerTokens < 1) throw new IllegalArgumentException(where + ": \"answer_tokens\" must be >= 1, was " + answerTokens);
        if (budgetUsd < 0) throw new IllegalArgumentException(where + ": \"budget_usd\" must be >= 0, was " + budgetUsd);
        if (timeLimitMinutes != null && !(timeLimitMinutes > 0)) {
            throw new IllegalArgumentException(where + ": \"time_limit_minutes\" must be > 0, was " + timeLimitMinutes);
        }
        if (probes != null) {
            if (probes.gold() == null) throw new IllegalArgumentException(where + ": missing \"probes.gold\"");
            if (probes.perRoundOr(1) < 1) throw new IllegalArgumentException(where + ": \"probes.per_round\" must be >= 1, was " + probes.perRound());
            if (judges.isEmpty()) throw new IllegalArgumentException(where + ": \"probes\": gold probes measure judges; give at least one in \"judges\"");
        }
        if (alarm != null) {
            try {
                alarm(alarm);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
            }
        }
        for (int i = 0; i < judges.size(); i++) {
            String mode = judges.get(i).mode();
            if (mode != null && !List.of("pointwise", GROUP).contains(mode)) {
                throw new IllegalArgumentException(where + ": \"judges[" + i + "].mode\" must be pointwise or group, was " + mode);
            }
            if (judges.get(i).group() && perTurnCredit()) {
                throw new IllegalArgumentException(where + ": \"judges[" + i + "].mode\": a group judge scores whole transcripts side by "
                        + "side, not each turn's; use \"credit\": \"outcome\" with it, or a pointwise judge for per-turn credit");
            }
        }
        if (judgeRefresh != null) {
            try {
                JudgeRefresh.check(judgeRefresh, judges.size());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
            }
        }
        if (alarm != null && "refresh".equals(alarm.action()) && judgeRefresh == null) {
            throw new IllegalArgumentException(where + ": \"alarm.action\": refresh needs \"judge_refresh\" (which built-in judge, what to "
                    + "train it on), e.g. \"judge_refresh\": {\"judge\": 0, \"steps\": 40}");
        }
        if (executor != null && (executor.type() == null || executor.type().isBlank())) {
            throw new IllegalArgumentException(where + ": missing \"executor.type\" (in-process, or spark with the cluster module)");
        }
        if (evalSamples < 0) throw new IllegalArgumentException(where + ": \"eval_samples\" must be >= 0, was " + evalSamples);
        if (!List.of(OUTCOME, PER_TURN).contains(credit)) {
            throw new IllegalArgumentException(where + ": \"credit\" must be outcome or per-turn, was " + credit);
        }
        if (!List.of("grpo", "rft", "dpo").contains(algorithm.name())) {
            throw new IllegalArgumentException(where + ": \"algorithm.name\" must be grpo, rft or dpo, was " + algorithm.name());
        }
        return this;
    }

    public Experiment {
        if (judges == null) judges = List.of();
        if (rewards == null) rewards = List.of();
        if (algorithm == null) algorithm = new Algorithm("grpo", null, null, null, null, null, null, null, null, null);
        if (tasksPerRound == 0) tasksPerRound = 16;
        if (rolloutsPerTask == 0) rolloutsPerTask = 8;
        if (temperature == 0) temperature = 1.0;
        if (out == null) out = "runs/" + name;
        if (credit == null) credit = OUTCOME;
    }

    /** This experiment with {@code rounds}, {@code seed} and {@code out} replaced where not null (the demo's options). */
    public Experiment with(Integer rounds, Long seed, String out) {
        return new Experiment(name, policy, workflow, tasks, judges, rewards, algorithm, rounds != null ? rounds : this.rounds,
                tasksPerRound, rolloutsPerTask, temperature, seed != null ? seed : this.seed, budgetUsd, out != null ? out : this.out,
                providers, credit, evalSamples, answerCheck, answerTokens, allowAbstainingJudges, timeLimitMinutes, probes, alarm,
                judgeRefresh, executor);
    }

    /** The alarm an experiment file's {@code alarm} asks for, its absent thresholds at their defaults. */
    static Alarm alarm(AlarmSpec a) {
        if (a.action() != null && !List.of("warn", "stop", "refresh").contains(a.action())) {
            throw new IllegalArgumentException("\"alarm.action\" must be warn, stop or refresh, was " + a.action());
        }
        return new Alarm(a.minProbeAgreement() == null ? Alarm.DEFAULTS.minProbeAgreement() : a.minProbeAgreement(),
                a.maxRewardGap() == null ? Alarm.DEFAULTS.maxRewardGap() : a.maxRewardGap(),
                a.action() == null ? Alarm.Action.WARN : Alarm.Action.valueOf(a.action().toUpperCase(Locale.ROOT)));
    }

    public boolean perTurnCredit() {
        return PER_TURN.equals(credit);
    }

    /** The experiment as JSON, as the run directory keeps it. */
    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Experiment fromJson(String json, String where) {
        try {
            return parse(JSON.readTree(json), where);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** Jackson's message names the field by its path; keep that, drop the Java class names. */
    private static String describe(JsonMappingException e) {
        String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        String msg = e.getOriginalMessage();
        if (msg.startsWith("Unrecognized field")) return "unknown field \"" + path + "\"";
        return "field \"" + path + "\": " + msg.replaceAll("\\(class [^)]*\\)", "").replaceAll(" of type `[^`]*`", "");
    }
}
