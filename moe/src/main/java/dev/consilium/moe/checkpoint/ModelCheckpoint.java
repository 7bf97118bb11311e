package dev.consilium.moe.checkpoint;

import dev.consilium.moe.config.ConfigException;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The built-in model as a checkpoint directory holds it: weights and routing biases, its tokenizer when it
 * has one, and the training state when it was saved mid-run.
 *
 * @param tokenizer     null when the directory has no {@value Checkpoint#TOKENIZER}.
 * @param trainingState null when the directory has no {@value Checkpoint#TRAINING_STATE}.
 */
public record ModelCheckpoint(DeepSeekV3Model model, BpeTokenizer tokenizer, TrainingState trainingState) {

    /** Reads a checkpoint directory; errors name the file and tensor at fault. */
    public static ModelCheckpoint load(Path dir) {
        ModelConfig config;
        try {
            config = ModelConfig.fromJson(Checkpoint.readConfig(dir));
        } catch (ConfigException e) {
            throw new CheckpointException(dir.resolve(Checkpoint.CONFIG) + ": " + e.getMessage(), e);
        }
        DeepSeekV3Model model = DeepSeekV3Model.unloaded(config);
        Checkpoint.Loaded loaded = Checkpoint.load(dir, model.parameters(), model.buffers());
        BpeTokenizer tokenizer = loaded.tokenizerJson() == null ? null
                : BpeTokenizer.fromJson(new String(loaded.tokenizerJson(), StandardCharsets.UTF_8));
        if (tokenizer != null && tokenizer.vocabSize() > config.vocabSize()) {
            throw new CheckpointException(dir.resolve(Checkpoint.TOKENIZER) + ": " + tokenizer.vocabSize()
                    + " token ids do not fit vocab_size " + config.vocabSize());
        }
        return new ModelCheckpoint(model, tokenizer, loaded.trainingState());
    }

    /** Saves atomically: a crash leaves the previous checkpoint at {@code dir} or this one, never a mix. */
    public static void save(Path dir, DeepSeekV3Model model, BpeTokenizer tokenizer, TrainingState state) {
        byte[] tokenizerJson = tokenizer == null ? null : tokenizer.toJson().getBytes(StandardCharsets.UTF_8);
        Checkpoint.save(dir, model.config().toJson(), model.parameters(), model.buffers(), tokenizerJson, state);
    }
}
