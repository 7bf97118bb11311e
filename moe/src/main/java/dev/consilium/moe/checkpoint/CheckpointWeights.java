package dev.consilium.moe.checkpoint;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Bf16Weight;
import dev.consilium.moe.kernel.Fp8Weight;
import dev.consilium.moe.kernel.Matmul;
import dev.consilium.moe.kernel.WeightMatrix;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A checkpoint read for generation, each projection kept in the precision it is stored in, so an FP8
 * checkpoint's projections take a quarter of their fp32 memory and a BF16 one's half.
 *
 * @param dir         the checkpoint directory it was read from, for errors.
 * @param tokenizer   null when the directory has no {@value Checkpoint#TOKENIZER}.
 * @param projections the 2-D weights applied as {@code x · w^T} ({@link #isProjection}), by tensor name:
 *                    F32 as {@link Matmul.PackedWeight}, BF16 as {@link Bf16Weight}, F8_E4M3 with its
 *                    {@code <name>_scale_inv} as {@link Fp8Weight}, F16 widened to fp32. With
 *                    {@code tie_word_embeddings}, {@value #LM_HEAD} is made from the embedding the same way.
 * @param tensors     everything else (embeddings, norms, router gates, routing biases) as fp32, an FP8 one
 *                    dequantized; and each {@code kv_b_proj} as fp32 too, since decoding applies it per head
 *                    in the absorbed form, as DeepSeek-V3's reference dequantizes it for.
 */
public record CheckpointWeights(Path dir, ModelConfig config, BpeTokenizer tokenizer,
                               Map<String, WeightMatrix> projections, Map<String, float[]> tensors) {
    public static final String LM_HEAD = "lm_head.weight";
    public static final String EMBEDDING = "model.embed_tokens.weight";
    /** The projection that is also kept as fp32 {@link #tensors}. */
    private static final String ABSORBED = ".kv_b_proj.weight";

    /** Modules whose {@code .weight} is a projection: MLA's, the MLPs' and experts', MTP's, and the LM heads. */
    private static final Set<String> PROJECTION_MODULES = Set.of("q_proj", "q_a_proj", "q_b_proj",
            "kv_a_proj_with_mqa", "kv_b_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "eh_proj",
            "lm_head", "head");

    public CheckpointWeights {
        projections = Collections.unmodifiableMap(new TreeMap<>(projections));
        tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
    }

    /**
     * Reads {@code dir}; errors name the file and tensor at fault: a tensor missing or not in the shape the
     * config gives it (checked before any data is read, so a transposed matrix of the right size cannot load as
     * garbage), a missing or misshapen {@code weight_scale_inv}, a truncated file, a NaN or infinite weight.
     */
    public static CheckpointWeights load(Path dir) {
        return Checkpoint.readConsistently(dir, live -> {
            ModelConfig config = ModelCheckpoint.config(live, Checkpoint.readConfigIn(live));
            BpeTokenizer tokenizer = ModelCheckpoint.tokenizer(live,
                    Checkpoint.readIfExists(live.resolve(Checkpoint.TOKENIZER)), config);
            Map<String, WeightMatrix> projections = new TreeMap<>();
            Map<String, float[]> tensors = new TreeMap<>();
            try (SafetensorsReader r = SafetensorsReader.open(live)) {
                Map<String, int[]> shapes = DeepSeekV3Model.tensorShapes(config);
                Checkpoint.requireShapes(r, shapes, live.resolve(Checkpoint.CONFIG));
                if (config.tieWordEmbeddings() && r.find(LM_HEAD).isPresent()) {
                    // an LM head stored beside tied embeddings is the one generation uses: it too must fit
                    Checkpoint.requireShapes(r, Map.of(LM_HEAD, shapes.get(EMBEDDING)), live.resolve(Checkpoint.CONFIG));
                }
                for (TensorInfo t : r.tensors()) {
                    if (isBlockScale(r, t.name())) continue; // read with its weight
                    boolean projection = isProjection(t.name()) && t.shape().length == 2;
                    if (projection) projections.put(t.name(), projection(r, t));
                    if (!projection || t.name().endsWith(ABSORBED)) tensors.put(t.name(), floats(r, t));
                }
                if (config.tieWordEmbeddings() && !projections.containsKey(LM_HEAD) && r.find(EMBEDDING).isPresent()) {
                    projections.put(LM_HEAD, projection(r, r.tensor(EMBEDDING)));
                }
            }
            return new CheckpointWeights(live, config, tokenizer, projections, tensors);
        });
    }

    /** Whether the tensor is a weight generation applies as {@code x · w^T}; such weights are 2-D (OC, C). */
    public static boolean isProjection(String name) {
        if (!name.endsWith(".weight")) return false;
        String module = name.substring(0, name.length() - ".weight".length());
        return PROJECTION_MODULES.contains(module.substring(module.lastIndexOf('.') + 1));
    }

    /** Whether the projection maps hidden states to vocabulary logits: the model's or an MTP module's head. */
    public static boolean isHead(String name) {
        return name.equals(LM_HEAD) || name.endsWith(".head.weight");
    }

    /** The projection {@code name}, or an error naming the checkpoint and the tensor. */
    public WeightMatrix projection(String name) {
        WeightMatrix w = projections.get(name);
        if (w == null) throw new CheckpointException(dir + ": no projection '" + name + "'");
        return w;
    }

    /** The fp32 tensor {@code name}, or an error naming the checkpoint and the tensor. */
    public float[] tensor(String name) {
        float[] t = tensors.get(name);
        if (t == null) throw new CheckpointException(dir + ": no tensor '" + name + "'");
        return t;
    }

    /** Bytes the weights take in memory: projections in their stored precision, the rest as fp32. */
    public long bytes() {
        long b = 0;
        for (WeightMatrix w : projections.values()) b += w.bytes();
        for (float[] t : tensors.values()) b += 4L * t.length;
        return b;
    }

    private static boolean isBlockScale(SafetensorsReader r, String name) {
        if (!name.endsWith(SafetensorsReader.SCALE_INV_SUFFIX)) return false;
        String weight = name.substring(0, name.length() - SafetensorsReader.SCALE_INV_SUFFIX.length());
        return r.find(weight).map(w -> w.dtype() == DType.F8_E4M3).orElse(false);
    }

    /** The tensor as fp32 (dequantized if FP8), refused if any value is NaN or infinite. */
    private static float[] floats(SafetensorsReader r, TensorInfo t) {
        float[] values = r.read(t.name());
        FiniteWeights.require(t, values, 0, values.length);
        return values;
    }

    private static WeightMatrix projection(SafetensorsReader r, TensorInfo t) {
        String name = t.name();
        int OC = t.shape()[0], C = t.shape()[1];
        try {
            return switch (t.dtype()) {
                case F32, F16 -> Matmul.pack(floats(r, t), 0, C, OC);
                case BF16 -> {
                    short[] bits = r.readShorts(name);
                    FiniteWeights.requireHalf(t, bits);
                    yield Bf16Weight.pack(bits, 0, C, OC);
                }
                case F8_E4M3 -> {
                    byte[] values = r.readBytes(name);
                    FiniteWeights.requireE4m3(t, values);
                    float[] scales = r.readBlockScales(name);
                    FiniteWeights.require(r.tensor(name + SafetensorsReader.SCALE_INV_SUFFIX), scales, 0, scales.length);
                    yield Fp8Weight.pack(values, 0, scales, 0, C, OC);
                }
                default -> throw new CheckpointException(t.file() + ": tensor '" + name + "' has dtype " + t.dtype()
                        + "; projections load from F32, BF16, F16 or F8_E4M3");
            };
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(t.file() + ": tensor '" + name + "': " + e.getMessage(), e);
        }
    }
}
