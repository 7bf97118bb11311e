package dev.consilium.moe.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.config.ConfigException;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;
import dev.consilium.moe.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in model as a checkpoint directory holds it: weights and routing biases, its tokenizer when it
 * has one, and the training state when it was saved mid-run.
 *
 * @param tokenizer     null when the directory has no {@value Checkpoint#TOKENIZER}.
 * @param trainingState null when the directory has no {@value Checkpoint#TRAINING_STATE}.
 */
public record ModelCheckpoint(DeepSeekV3Model model, BpeTokenizer tokenizer, TrainingState trainingState) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads a checkpoint directory; errors name the file and tensor at fault: a tensor missing or not in the
     * shape the config gives it, a NaN or infinite weight.
     */
    public static ModelCheckpoint load(Path dir) {
        ModelConfig config = config(dir, Checkpoint.readConfig(dir));
        DeepSeekV3Model model = DeepSeekV3Model.unloaded(config);
        Checkpoint.Loaded loaded = Checkpoint.load(dir, model.parameters(), model.buffers(), true);
        return new ModelCheckpoint(model, tokenizer(dir, loaded.tokenizerJson(), config), loaded.trainingState());
    }

    /** Saves atomically: a crash leaves the previous checkpoint at {@code dir} or this one, never a mix. */
    public static void save(Path dir, DeepSeekV3Model model, BpeTokenizer tokenizer, TrainingState state) {
        Checkpoint.save(dir, model.config().toJson(), model.parameters(), model.buffers(), tokenizerJson(tokenizer), state);
    }

    /**
     * Saves a copy for inference, atomically, in DeepSeek-V3's layout. {@code BF16}: every parameter rounded
     * to bfloat16. {@code F8_E4M3}: the projections FP8 with a {@code weight_scale_inv} per 128x128 block
     * ({@link BlockFp8}), the rest BF16, except the LM heads, which DeepSeek-V3 also keeps in BF16. The
     * routers' biases stay F32 either way, and no training state is written: the copy is for
     * {@link CheckpointWeights#load}, or for Hugging Face, whose loaders read {@code torch_dtype} and, for
     * FP8, {@code quantization_config} from the config.
     */
    public static void saveQuantized(Path dir, DeepSeekV3Model model, BpeTokenizer tokenizer, DType dtype) {
        if (dtype != DType.BF16 && dtype != DType.F8_E4M3) {
            throw new IllegalArgumentException("a quantized copy is BF16 or F8_E4M3, not " + dtype);
        }
        List<EncodedTensor> weights = new ArrayList<>();
        for (NamedTensor t : model.parameters()) {
            if (dtype == DType.F8_E4M3 && CheckpointWeights.isProjection(t.name()) && !CheckpointWeights.isHead(t.name())) {
                int[] shape = t.shape();
                BlockFp8 q;
                try {
                    q = BlockFp8.quantize(t.data(), t.offset(), shape[0], shape[1]);
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(dir.resolve(Checkpoint.WEIGHTS) + ": tensor '" + t.name() + "': " + e.getMessage(), e);
                }
                String scale = t.name() + SafetensorsReader.SCALE_INV_SUFFIX;
                int[] blocks = {(shape[0] + BlockFp8.BLOCK - 1) / BlockFp8.BLOCK, (shape[1] + BlockFp8.BLOCK - 1) / BlockFp8.BLOCK};
                weights.add(new EncodedTensor(t.name(), DType.F8_E4M3, shape, q.values()));
                weights.add(EncodedTensor.of(new NamedTensor(scale, blocks, q.scaleInv(), 0), DType.F32));
            } else {
                weights.add(EncodedTensor.of(t, DType.BF16));
            }
        }
        for (NamedTensor t : model.buffers()) weights.add(EncodedTensor.of(t, DType.F32));
        Checkpoint.saveEncoded(dir, quantizedConfig(model.config(), dtype), weights, tokenizerJson(tokenizer));
    }

    /** The config as Hugging Face describes a checkpoint in this dtype. */
    private static String quantizedConfig(ModelConfig config, DType dtype) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(config.toJson());
            o.put("torch_dtype", "bfloat16");
            if (dtype == DType.F8_E4M3) {
                ObjectNode q = o.putObject("quantization_config");
                q.put("activation_scheme", "dynamic");
                q.put("fmt", "e4m3");
                q.put("quant_method", "fp8");
                q.putArray("weight_block_size").add(BlockFp8.BLOCK).add(BlockFp8.BLOCK);
            }
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelConfig.toJson wrote JSON that does not parse", e);
        }
    }

    private static byte[] tokenizerJson(BpeTokenizer tokenizer) {
        return tokenizer == null ? null : tokenizer.toJson().getBytes(StandardCharsets.UTF_8);
    }

    /** The config in {@code dir}, errors naming its file. */
    static ModelConfig config(Path dir, String json) {
        try {
            return ModelConfig.fromJson(json);
        } catch (ConfigException e) {
            throw new CheckpointException(dir.resolve(Checkpoint.CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /** The tokenizer read from {@code dir}, or null without one; its ids must fit the config's vocabulary. */
    static BpeTokenizer tokenizer(Path dir, byte[] json, ModelConfig config) {
        if (json == null) return null;
        BpeTokenizer tokenizer = BpeTokenizer.fromJson(new String(json, StandardCharsets.UTF_8));
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new CheckpointException(dir.resolve(Checkpoint.TOKENIZER) + ": " + tokenizer.vocabSize()
                    + " token ids do not fit vocab_size " + config.vocabSize());
        }
        return tokenizer;
    }
}
