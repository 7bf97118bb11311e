package dev.consilium.runtime.loop;

import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.rewards.function.RewardFunction;
import dev.langchain4j.model.chat.ChatModel;

import java.nio.file.Path;
import java.util.List;

/**
 * An experiment's judges exactly as its run builds them (same prompt, model, decoding and nonce seeds), for tools
 * that measure or train them outside a run: {@code consilium judge calibrate --experiment}, {@code judge train}.
 */
public final class ExperimentJudges {
    /** The most tokens a judge may write for one verdict in the loop. */
    public static final int MAX_TOKENS = Judging.JUDGE_TOKENS;

    private ExperimentJudges() {}

    /** The judges of {@code experiment}, in its order, over the providers its file names (or the defaults). */
    public static List<RewardFunction> of(Experiment experiment) {
        Providers.Builder b = Providers.builder();
        if (experiment.providers() != null) b.config(ProvidersConfig.load(Path.of(experiment.providers())));
        return Judging.judges(experiment, b.build());
    }

    /** {@code model} decoding as the loop's judges do: greedily, at most {@link #MAX_TOKENS} tokens. */
    public static ChatModel greedy(ChatModel model) {
        return Judging.greedy(model);
    }
}
