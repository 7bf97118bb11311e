package dev.consilium.runtime.loop;

import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.function.RewardFunctions;
import dev.consilium.rewards.judge.GroupJudge;
import dev.consilium.rewards.judge.JudgeModel;
import dev.consilium.rewards.judge.PointwiseJudge;
import dev.consilium.rewards.judge.Prompts;
import dev.consilium.rewards.judge.Scale;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names an experiment file can use: workflow types, reward functions, judge prompts, task readers and
 * answer checks. The built-in ones, then each {@link ConsiliumPlugin} a class loader offers; a name registered
 * twice is an error naming both, so an experiment never gets one silently in place of the other.
 */
public final class PluginRegistry {
    /** The generic judge prompt: pointwise, binary, reference-guided, over any model. */
    static final String POINTWISE = "pointwise";
    /** The generic group prompt: binary, reference-guided, every answer of a task group scored in one call. */
    static final String GROUP = "group";
    static final String POINTWISE_RUBRIC = "The final answer in the transcript is a correct answer to the task.";

    private WorkflowFactory workflows = WorkflowFactory.standard();
    private final Map<String, String> owners = new LinkedHashMap<>();
    private final Map<String, RewardFunction> rewards = new LinkedHashMap<>();
    private final Map<String, JudgePrompt> judgePrompts = new LinkedHashMap<>();
    private final Map<String, GroupJudgePrompt> groupPrompts = new LinkedHashMap<>();
    private final Map<String, TrainableJudge> trainableJudges = new LinkedHashMap<>();
    private final Map<String, TaskReader> taskReaders = new LinkedHashMap<>();
    private final Map<String, AnswerCheck> answerChecks = new LinkedHashMap<>();
    private String registering = "built-in";
    private ClassLoader loader = PluginRegistry.class.getClassLoader();

    private PluginRegistry() {
        for (String t : workflows.types()) owners.put("workflow " + t, registering);
        reward("exact_match", RewardFunctions.exactMatch());
        judgePrompt(POINTWISE, (model, ref, nonce) -> PointwiseJudge.builder()
                .model(JudgeModel.builder().model(model).name(ref).nonceSeed(nonce).build())
                .rubric(POINTWISE_RUBRIC).scale(Scale.BINARY).prompt(Prompts.POINTWISE).build());
        groupJudgePrompt(GROUP, (model, ref, nonce) -> GroupJudge.builder()
                .model(JudgeModel.builder().model(model).name(ref).nonceSeed(nonce).build())
                .rubric(POINTWISE_RUBRIC).scale(Scale.BINARY).build());
        taskReader(JsonlTasks.NAME, new JsonlTasks());
        answerCheck("exact", AnswerCheck.exact());
    }

    /** The built-in names and those of every plugin {@code loader} finds. */
    public static PluginRegistry load(ClassLoader loader) {
        PluginRegistry r = new PluginRegistry();
        r.loader = loader;
        for (ConsiliumPlugin p : ServiceLoader.load(ConsiliumPlugin.class, loader)) {
            r.registering = p.getClass().getName();
            p.register(r);
        }
        r.registering = "built-in";
        return r;
    }

    /** A workflow type taking the parameters {@code params} (anything else in its spec is an error). */
    public PluginRegistry workflow(String type, Set<String> params, WorkflowFactory.Maker maker) {
        claim("workflow " + type);
        workflows = workflows.with(type, params, maker);
        return this;
    }

    /** A reward function an experiment names in {@code rewards[i].type}. */
    public PluginRegistry reward(String type, RewardFunction function) {
        return put(rewards, "reward", type, function);
    }

    /** A judge prompt an experiment names in {@code judges[i].prompt}. */
    public PluginRegistry judgePrompt(String name, JudgePrompt prompt) {
        return put(judgePrompts, "judge prompt", name, prompt);
    }

    /** A group judge prompt an experiment names in {@code judges[i].prompt} where {@code judges[i].mode} is {@code group}. */
    public PluginRegistry groupJudgePrompt(String name, GroupJudgePrompt prompt) {
        return put(groupPrompts, "group judge prompt", name, prompt);
    }

    /**
     * How the built-in judge asked with judge prompt {@code prompt} is fine-tuned, for {@code judge_refresh}: the
     * reading and verdict that prompt's judge writes are what it trains.
     */
    public PluginRegistry trainableJudge(String prompt, TrainableJudge trainer) {
        return put(trainableJudges, "judge trainer", prompt, trainer);
    }

    /** A task reader an experiment names in {@code tasks.reader}. */
    public PluginRegistry taskReader(String name, TaskReader reader) {
        return put(taskReaders, "task reader", name, reader);
    }

    /** An answer check an experiment names in {@code answer_check}. */
    public PluginRegistry answerCheck(String name, AnswerCheck check) {
        return put(answerChecks, "answer check", name, check);
    }

    private <T> PluginRegistry put(Map<String, T> names, String kind, String name, T value) {
        claim(kind + " " + name);
        names.put(name, value);
        return this;
    }

    private void claim(String what) {
        String earlier = owners.putIfAbsent(what, registering);
        if (earlier != null) throw new IllegalStateException(what + " is registered twice: by " + earlier + " and by " + registering);
    }

    /** The class loader the plugins came from, which also offers executors by name ({@code ExecutorProvider}). */
    public ClassLoader loader() {
        return loader;
    }

    WorkflowFactory workflows() {
        return workflows;
    }

    RewardFunction reward(String type, String key) {
        return known(rewards, type, key);
    }

    JudgePrompt judgePrompt(String name, String key) {
        return known(judgePrompts, name, key);
    }

    GroupJudgePrompt groupJudgePrompt(String name, String key) {
        return known(groupPrompts, name, key);
    }

    TrainableJudge trainableJudge(String prompt, String key) {
        TrainableJudge t = trainableJudges.get(prompt);
        if (t == null) {
            throw new IllegalArgumentException("\"" + key + "\": judge prompt \"" + prompt + "\" has no judge trainer, so its judge cannot "
                    + "be refreshed; prompts that can: " + new TreeSet<>(trainableJudges.keySet()));
        }
        return t;
    }

    TaskReader taskReader(String name, String key) {
        return known(taskReaders, name, key);
    }

    AnswerCheck answerCheck(String name, String key) {
        return known(answerChecks, name, key);
    }

    private static <T> T known(Map<String, T> m, String name, String key) {
        T v = m.get(name);
        if (v == null) throw new IllegalArgumentException("\"" + key + "\": unknown \"" + name + "\"; known: " + new TreeSet<>(m.keySet()));
        return v;
    }
}
