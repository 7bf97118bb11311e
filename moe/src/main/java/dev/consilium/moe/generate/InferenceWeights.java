package dev.consilium.moe.generate;

import dev.consilium.moe.checkpoint.BlockFp8;
import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.checkpoint.DType;
import dev.consilium.moe.checkpoint.FloatFormats;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Bf16Weight;
import dev.consilium.moe.kernel.Fp8Weight;
import dev.consilium.moe.kernel.Matmul;
import dev.consilium.moe.kernel.WeightMatrix;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;

import java.util.HashMap;
import java.util.Map;

/**
 * The weights generation runs on, in the one place they are built: every projection a {@link WeightMatrix}
 * (fp32 packed from a model here; BF16 or FP8 from a checkpoint through another {@link Source}), small
 * vectors (norm gains, routing biases) and the embedding table as fp32. kv_b_proj is kept as fp32 rows too:
 * decoding uses it in absorbed form, per head, as DeepSeek-V3's reference dequantizes it for.
 */
public final class InferenceWeights {
    /** The checkpoint reader holds the tensor names both use. */
    private static final String EMBEDDING = CheckpointWeights.EMBEDDING;

    /** Where tensors come from, by Hugging Face name. */
    public interface Source {
        /** The tensor's values as fp32, a copy. */
        float[] floats(String name);

        /** One matrix whose rows are those of the named (OC_i, C) tensors, in order (one product for several). */
        WeightMatrix matrix(String... names);
    }

    /** Projections of one MLA attention. w1 = [q_a_proj | q_proj ; kv_a_proj_with_mqa]; qb null without q_lora. */
    record Attention(float[] ln1, WeightMatrix w1, float[] qaNorm, WeightMatrix qb, float[] kvaNorm, float[] kvb,
                     WeightMatrix o) {}

    /** A SwiGLU: gu = [gate_proj ; up_proj] (2I, H), down (H, I). */
    record SwiGluWeights(WeightMatrix gu, WeightMatrix down) {}

    /** A block: attention, then a dense SwiGLU (moe null) or an MoE (mlp null). */
    record Layer(Attention attn, float[] ln2, SwiGluWeights mlp, Moe moe) {}

    /** Router gate (E, H), selection bias (E), routed experts, shared experts (null when none). */
    record Moe(WeightMatrix gate, float[] bias, SwiGluWeights[] experts, SwiGluWeights shared) {}

    /** MTP module: enorm, hnorm, eh_proj (H, 2H), its block, shared_head.norm. */
    record MtpModule(float[] enorm, float[] hnorm, WeightMatrix eh, Layer block, float[] headNorm) {}

    final ModelConfig config;
    final float[] embed;
    final Layer[] layers;
    final float[] norm;
    final WeightMatrix lmHead;
    final MtpModule[] mtp;

    private InferenceWeights(ModelConfig c, Source s) {
        this.config = c;
        embed = s.floats("model.embed_tokens.weight");
        layers = new Layer[c.numHiddenLayers()];
        for (int l = 0; l < layers.length; l++) layers[l] = layer(c, s, l);
        norm = s.floats("model.norm.weight");
        lmHead = s.matrix(c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
        mtp = new MtpModule[c.numNextnPredictLayers()];
        for (int k = 0; k < mtp.length; k++) {
            int l = c.numHiddenLayers() + k;
            String p = "model.layers." + l + ".";
            mtp[k] = new MtpModule(s.floats(p + "enorm.weight"), s.floats(p + "hnorm.weight"),
                    s.matrix(p + "eh_proj.weight"), layer(c, s, l), s.floats(p + "shared_head.norm.weight"));
        }
    }

    /** Weights from any source (a quantized checkpoint reader, for one). */
    public static InferenceWeights load(ModelConfig config, Source source) {
        dev.consilium.moe.kernel.VectorApi.require();
        return new InferenceWeights(config, source);
    }

    /** fp32 weights packed from a model's current parameters (a copy: later training does not reach them). */
    public static InferenceWeights of(DeepSeekV3Model model) {
        return of(model, DType.F32);
    }

    /**
     * As {@link #of(DeepSeekV3Model)}, the projections in {@code precision}: F32; BF16 (rounded, half the bytes
     * a decoded token streams); or F8_E4M3, quantized per tensor as {@link ModelCheckpoint#saveQuantized} does
     * (128x128 scale blocks, the LM head BF16, the router's gate fp32), a quarter. The vectors and tables stay
     * fp32 (a quantized checkpoint rounds them to BF16).
     */
    public static InferenceWeights of(DeepSeekV3Model model, DType precision) {
        if (precision != DType.F32 && precision != DType.BF16 && precision != DType.F8_E4M3) {
            throw new IllegalArgumentException("projections are F32, BF16 or F8_E4M3, not " + precision);
        }
        Map<String, NamedTensor> byName = new HashMap<>();
        for (NamedTensor t : model.parameters()) byName.put(t.name(), t);
        for (NamedTensor t : model.buffers()) byName.put(t.name(), t);
        return load(model.config(), new Source() {
            @Override
            public float[] floats(String name) {
                NamedTensor t = tensor(name);
                float[] out = new float[t.size()];
                System.arraycopy(t.data(), t.offset(), out, 0, out.length);
                return out;
            }

            @Override
            public WeightMatrix matrix(String... names) {
                if (precision == DType.F8_E4M3) {
                    // each tensor has its own scale blocks, as in a checkpoint, so they are packed apart
                    WeightMatrix[] parts = new WeightMatrix[names.length];
                    for (int i = 0; i < names.length; i++) parts[i] = fp8(tensor(names[i]));
                    return WeightMatrix.stack(parts);
                }
                int C = tensor(names[0]).shape()[1], OC = 0;
                for (String n : names) {
                    NamedTensor t = tensor(n);
                    if (t.shape().length != 2 || t.shape()[1] != C) {
                        throw new IllegalArgumentException(n + ": cannot stack a " + t + " under rows of width " + C);
                    }
                    OC += t.shape()[0];
                }
                float[] rows = new float[OC * C];
                int at = 0;
                for (String n : names) {
                    NamedTensor t = tensor(n);
                    System.arraycopy(t.data(), t.offset(), rows, at, t.size());
                    at += t.size();
                }
                return precision == DType.F32 ? Matmul.pack(rows, 0, C, OC) : bf16(rows, 0, C, OC);
            }

            private WeightMatrix fp8(NamedTensor t) {
                int OC = t.shape()[0], C = t.shape()[1];
                if (t.name().equals(EMBEDDING) || CheckpointWeights.isHead(t.name())) return bf16(t.data(), t.offset(), C, OC);
                if (!CheckpointWeights.isProjection(t.name())) return Matmul.pack(t.data(), t.offset(), C, OC); // the router's gate
                BlockFp8 q = BlockFp8.quantize(t.data(), t.offset(), OC, C);
                return Fp8Weight.pack(q.values(), 0, q.scaleInv(), 0, C, OC);
            }

            private NamedTensor tensor(String name) {
                NamedTensor t = byName.get(name);
                if (t == null) throw new IllegalArgumentException("the model has no tensor " + name);
                return t;
            }
        });
    }

    /**
     * A checkpoint's weights as it stores them: BF16 and FP8 projections run narrow, never widened to fp32
     * matrices (kv_b_proj, applied per head, excepted). Stacked products (q_a with kv_a, gate with up) run
     * their parts apart when they cannot be packed as one.
     */
    public static InferenceWeights of(CheckpointWeights ckpt) {
        boolean tied = ckpt.config().tieWordEmbeddings();
        return load(ckpt.config(), new Source() {
            @Override
            public float[] floats(String name) {
                return ckpt.tensor(name).clone();
            }

            @Override
            public WeightMatrix matrix(String... names) {
                WeightMatrix[] parts = new WeightMatrix[names.length];
                for (int i = 0; i < names.length; i++) {
                    String n = tied && names[i].equals(EMBEDDING) ? CheckpointWeights.LM_HEAD : names[i];
                    if (ckpt.projections().containsKey(n)) {
                        parts[i] = ckpt.projection(n);
                    } else {
                        // the router's gate (E, H) is no projection to the checkpoint: it reads as fp32
                        float[] w = ckpt.tensor(n);
                        int C = ckpt.config().hiddenSize();
                        parts[i] = Matmul.pack(w, 0, C, w.length / C);
                    }
                }
                return WeightMatrix.stack(parts);
            }
        });
    }

    private static WeightMatrix bf16(float[] w, int off, int C, int OC) {
        short[] bits = new short[OC * C];
        for (int i = 0; i < bits.length; i++) bits[i] = FloatFormats.floatToBf16(w[off + i]);
        return Bf16Weight.pack(bits, 0, C, OC);
    }

    public ModelConfig config() {
        return config;
    }

    /** Bytes the projections take in their stored precision plus the fp32 vectors and tables. */
    public long bytes() {
        long b = 4L * (embed.length + norm.length) + lmHead.bytes();
        for (Layer l : layers) b += bytes(l);
        for (MtpModule m : mtp) b += 4L * (m.enorm.length + m.hnorm.length + m.headNorm.length) + m.eh.bytes() + bytes(m.block);
        return b;
    }

    private static long bytes(Layer l) {
        Attention a = l.attn;
        long b = 4L * (a.ln1.length + a.kvaNorm.length + a.kvb.length + l.ln2.length) + a.w1.bytes() + a.o.bytes();
        if (a.qb != null) b += 4L * a.qaNorm.length + a.qb.bytes();
        if (l.mlp != null) b += l.mlp.gu.bytes() + l.mlp.down.bytes();
        if (l.moe != null) {
            b += l.moe.gate.bytes() + 4L * l.moe.bias.length;
            for (SwiGluWeights e : l.moe.experts) b += e.gu.bytes() + e.down.bytes();
            if (l.moe.shared != null) b += l.moe.shared.gu.bytes() + l.moe.shared.down.bytes();
        }
        return b;
    }

    private static Layer layer(ModelConfig c, Source s, int l) {
        String p = "model.layers." + l + ".", a = p + "self_attn.";
        boolean qLora = c.qLoraRank() != null;
        Attention attn = new Attention(s.floats(p + "input_layernorm.weight"),
                s.matrix(qLora ? a + "q_a_proj.weight" : a + "q_proj.weight", a + "kv_a_proj_with_mqa.weight"),
                qLora ? s.floats(a + "q_a_layernorm.weight") : null,
                qLora ? s.matrix(a + "q_b_proj.weight") : null,
                s.floats(a + "kv_a_layernorm.weight"), s.floats(a + "kv_b_proj.weight"), s.matrix(a + "o_proj.weight"));
        float[] ln2 = s.floats(p + "post_attention_layernorm.weight");
        String m = p + "mlp.";
        if (!c.isMoeLayer(l)) return new Layer(attn, ln2, swiGlu(s, m), null);
        SwiGluWeights[] experts = new SwiGluWeights[c.nRoutedExperts()];
        for (int e = 0; e < experts.length; e++) experts[e] = swiGlu(s, m + "experts." + e + ".");
        return new Layer(attn, ln2, null, new Moe(s.matrix(m + "gate.weight"), s.floats(m + "gate.e_score_correction_bias"),
                experts, c.nSharedExperts() > 0 ? swiGlu(s, m + "shared_experts.") : null));
    }

    private static SwiGluWeights swiGlu(Source s, String prefix) {
        return new SwiGluWeights(s.matrix(prefix + "gate_proj.weight", prefix + "up_proj.weight"),
                s.matrix(prefix + "down_proj.weight"));
    }
}
