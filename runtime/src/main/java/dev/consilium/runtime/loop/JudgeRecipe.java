package dev.consilium.runtime.loop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.agents.provider.builtin.BuiltinChatModel;
import dev.consilium.agents.provider.builtin.BuiltinModel;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.runtime.seam.SecretEnv;
import dev.langchain4j.model.chat.ChatModel;

import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A judge of an experiment (pointwise, or a group judge where {@code group}) as a value an executor rebuilds it from, exactly as
 * {@link ExperimentFile#judges} builds it on the driver: its model ref, the prompt's registry name (looked up
 * among the plugins on the executor's class path), its nonce seed, and the providers file's content (variable
 * names of keys, never keys). A refreshed built-in judge also names the checkpoint directory it now runs on
 * ({@code judges/round-NNNN}), keeping its model ref as its name, so each refresh is a new recipe. A built-in
 * judge's checkpoint travels with the recipe as its files ({@link CheckpointFiles}), sent once per job and loaded
 * once per executor JVM, so executors need no shared filesystem.
 *
 * @param checkpoint    a built-in judge's checkpoint (the refreshed one's after a refresh); null: an API model
 * @param providersJson the providers file as JSON; null: no providers file
 * @param group         a group judge ({@code "mode": "group"}): {@code prompt} names a group judge prompt
 */
record JudgeRecipe(String modelRef, CheckpointFiles checkpoint, String prompt, long nonceSeed, String providersJson,
                   boolean group) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A pointwise judge. */
    JudgeRecipe(String modelRef, CheckpointFiles checkpoint, String prompt, long nonceSeed, String providersJson) {
        this(modelRef, checkpoint, prompt, nonceSeed, providersJson, false);
    }

    /** A pointwise judge of the experiment, {@code providers} null where it names no providers file. */
    static JudgeRecipe of(String modelRef, String prompt, long nonceSeed, ProvidersConfig providers) {
        return of(modelRef, prompt, nonceSeed, providers, false);
    }

    /** A judge of the experiment, a group judge where {@code group}; {@code providers} null where it names no providers file. */
    static JudgeRecipe of(String modelRef, String prompt, long nonceSeed, ProvidersConfig providers, boolean group) {
        try {
            Path dir = ExperimentFile.builtinCheckpoint(modelRef);
            return new JudgeRecipe(modelRef, dir == null ? null : CheckpointFiles.of(dir), prompt, nonceSeed,
                    providers == null ? null : JSON.writeValueAsString(providers), group);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("providers of judge " + modelRef + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The variables holding keys that {@code providers}' deployments name, in file order. */
    static List<String> keyVariables(ProvidersConfig providers) {
        List<String> names = new ArrayList<>();
        if (providers == null) return names;
        for (Deployment d : providers.deployments()) if (d.apiKeyEnv() != null && !names.contains(d.apiKeyEnv())) names.add(d.apiKeyEnv());
        return names;
    }

    /** This judge refreshed into {@code dir}: the same name, prompt and nonce seed, the new weights. */
    JudgeRecipe refreshedInto(Path dir) {
        return new JudgeRecipe(modelRef, CheckpointFiles.of(dir), prompt, nonceSeed, providersJson, group);
    }

    /** The live judge and what to close when it goes (the refreshed judge's served model). */
    record Built(RewardFunction judge, AutoCloseable resources) {}

    /** The judge, its keys read from {@code secrets} (this JVM's environment for variables not shipped). */
    Built build(SecretEnv secrets, PluginRegistry plugins) {
        // The prompt first: a name the executor's plugins lack is the error, before any weights load.
        String where = "judge " + modelRef + "'s prompt";
        GroupJudgePrompt g = group ? plugins.groupJudgePrompt(prompt, where) : null;
        JudgePrompt p = group ? null : plugins.judgePrompt(prompt, where);
        int tokens = group ? ExperimentFile.GROUP_JUDGE_TOKENS : ExperimentFile.JUDGE_TOKENS;
        ChatModel base;
        AutoCloseable resources;
        if (checkpoint != null) {
            BuiltinModel served = checkpoint.load();
            base = new BuiltinChatModel(served);
            resources = served::close;
        } else {
            Providers.Builder b = Providers.builder().env(secrets::get);
            if (providersJson != null) b.config(ProvidersConfig.parse(providersJson, "judge " + modelRef + "'s providers"));
            base = b.build().chatModel(modelRef);
            resources = () -> { };
        }
        ChatModel model = GreedyChatModel.byDefault(base, tokens);
        RewardFunction judge = group ? new GroupJudgeFunction(g.judge(model, modelRef, nonceSeed)) : p.judge(model, modelRef, nonceSeed);
        return new Built(judge, resources);
    }

    /** Leaves out the nonce seed: nonces are what keeps judged content from forging the judge's delimiters. */
    @Override
    public String toString() {
        return "JudgeRecipe[" + modelRef + (checkpoint == null ? "" : " at " + checkpoint) + ", " + (group ? "group " : "") + prompt + "]";
    }
}
