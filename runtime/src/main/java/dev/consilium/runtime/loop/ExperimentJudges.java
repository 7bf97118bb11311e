package dev.consilium.runtime.loop;

import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;
import dev.langchain4j.model.chat.ChatModel;

import java.nio.file.Path;
import java.util.List;

/**
 * An experiment's judges exactly as its run builds them (same prompt, model, decoding and nonce seeds), for tools
 * that measure or train them outside a run: {@code consilium judge calibrate --experiment}, {@code judge train}.
 */
public final class ExperimentJudges {
    /** The most tokens a judge may write for one verdict in the loop. */
    public static final int MAX_TOKENS = ExperimentFile.JUDGE_TOKENS;

    private ExperimentJudges() {}

    /**
     * The judges of the experiment in {@code file}, in its order, its paths relative to the file, its names among
     * the built-in ones and those of the plugins on the class path, over the providers the file names.
     */
    public static List<RewardFunction> of(Path file) {
        Experiment e = Experiment.load(file);
        Path base = file.toAbsolutePath().getParent();
        Experiment resolved = ExperimentFile.resolvePaths(e, base == null ? Path.of("").toAbsolutePath() : base, file.toString());
        return ExperimentFile.judges(resolved, PluginRegistry.load(ExperimentJudges.class.getClassLoader()),
                ExperimentFile.providers(resolved), List.of());
    }

    /** The group size G a run of the experiment in {@code file} judges in (its {@code rollouts_per_task}). */
    public static int groupSize(Path file) {
        return Experiment.load(file).rolloutsPerTask();
    }

    /**
     * {@code judge}'s verdicts on {@code items} as a run judges its gold probes: a pointwise judge's on each item alone;
     * a group judge's ({@code "mode": "group"}) on each item in a group of {@code groupSize}, beside the next items'
     * answers, so that a group judge is measured as the loop uses it.
     */
    public static List<Verdict> judge(RewardFunction judge, List<JudgedItem> items, int groupSize, long seed) {
        return GroupJudging.asProbes(judge, items, groupSize, seed, RolloutExecutor.inProcess(1));
    }

    /** {@code model} decoding as the loop's judges do: greedily, at most {@link #MAX_TOKENS} tokens. */
    public static ChatModel greedy(ChatModel model) {
        return GreedyChatModel.byDefault(model, MAX_TOKENS);
    }
}
