package dev.consilium.moe.checkpoint;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Bf16Weight;
import dev.consilium.moe.kernel.Fp8Weight;
import dev.consilium.moe.kernel.Matmul;
import dev.consilium.moe.kernel.WeightMatrix;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.consilium.moe.checkpoint.SafetensorsReaderTest.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Quantized copies of the built-in model written by ModelCheckpoint and read back for generation. */
class CheckpointWeightsTest {
    @TempDir
    Path tmp;

    private static DeepSeekV3Model model() {
        return new DeepSeekV3Model(ModelConfig.named("tiny"), 11);
    }

    /** ||x w_q^T - x w^T|| / ||x w^T|| over a few random tokens. */
    private static double relativeError(WeightMatrix q, NamedTensor w) {
        int OC = w.shape()[0], C = w.shape()[1], N = 3;
        Random r = new Random(OC * 31L + C);
        float[] x = new float[N * C], exact = new float[N * OC], got = new float[N * OC];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        Matmul.forwardScalar(exact, 0, x, 0, w.data(), w.offset(), N, C, OC);
        q.forward(got, 0, x, 0, N);
        double diff = 0, norm = 0;
        for (int i = 0; i < exact.length; i++) {
            diff += (got[i] - exact[i]) * (double) (got[i] - exact[i]);
            norm += exact[i] * (double) exact[i];
        }
        return Math.sqrt(diff / norm);
    }

    @Test
    void anFp8CopyRunsItsProjectionsCloseToFp32InAQuarterOfTheMemory() {
        DeepSeekV3Model model = model();
        Path dir = tmp.resolve("fp8");
        ModelCheckpoint.saveQuantized(dir, model, null, DType.F8_E4M3);

        CheckpointWeights w = CheckpointWeights.load(dir);

        long fp32 = 0, fp8 = 0;
        int quantized = 0;
        for (NamedTensor t : model.parameters()) {
            if (!CheckpointWeights.isProjection(t.name())) continue;
            WeightMatrix p = w.projection(t.name());
            if (CheckpointWeights.isHead(t.name())) {
                assertInstanceOf(Bf16Weight.class, p, t.name() + " stays BF16, as in DeepSeek-V3");
                continue;
            }
            assertInstanceOf(Fp8Weight.class, p, t.name());
            assertTrue(relativeError(p, t) < 0.05, t.name() + ": " + relativeError(p, t));
            fp32 += 4L * t.size();
            fp8 += p.bytes();
            quantized++;
        }
        assertTrue(quantized > 20, "projections quantized: " + quantized);
        assertTrue(fp8 < 0.3 * fp32, fp8 + " bytes against fp32's " + fp32);
    }

    @Test
    void aBf16CopyRunsItsProjectionsCloseToFp32InHalfTheMemory() {
        DeepSeekV3Model model = model();
        Path dir = tmp.resolve("bf16");
        ModelCheckpoint.saveQuantized(dir, model, null, DType.BF16);

        CheckpointWeights w = CheckpointWeights.load(dir);

        for (NamedTensor t : model.parameters()) {
            if (!CheckpointWeights.isProjection(t.name())) continue;
            WeightMatrix p = w.projection(t.name());
            assertInstanceOf(Bf16Weight.class, p, t.name());
            assertTrue(relativeError(p, t) < 0.01, t.name() + ": " + relativeError(p, t));
            // two bytes a weight, output channels padded to a multiple of the kernel's group (at most 64)
            assertTrue(p.bytes() >= 2L * t.size() && p.bytes() < 2L * (t.size() + 64L * t.shape()[1]), t.name());
        }
    }

    @Test
    void everythingButProjectionsLoadsAsFp32FromItsBf16Copy() {
        DeepSeekV3Model model = model();
        Path dir = tmp.resolve("fp8");
        ModelCheckpoint.saveQuantized(dir, model, null, DType.F8_E4M3);

        CheckpointWeights w = CheckpointWeights.load(dir);

        for (NamedTensor t : model.parameters()) {
            if (CheckpointWeights.isProjection(t.name())) continue;
            float[] expected = new float[t.size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(t.data()[t.offset() + i]));
            }
            assertArrayEquals(expected, w.tensor(t.name()), t.name());
        }
        for (NamedTensor b : model.buffers()) {
            assertArrayEquals(java.util.Arrays.copyOfRange(b.data(), b.offset(), b.offset() + b.size()), w.tensor(b.name()),
                    b.name() + " stays F32");
        }
        long absorbed = model.parameters().stream().filter(t -> t.name().endsWith(".kv_b_proj.weight")).count();
        assertEquals(model.parameters().size() + model.buffers().size() + absorbed, w.projections().size() + w.tensors().size(),
                "one entry per tensor (kv_b_proj in both, as a projection and as fp32), block scales read with their weights");
    }

    @Test
    void anFp32CheckpointLoadsPackedWeightsThatMatchMatmul() {
        DeepSeekV3Model model = model();
        ModelCheckpoint.save(tmp.resolve("fp32"), model, null, null);

        CheckpointWeights w = CheckpointWeights.load(tmp.resolve("fp32"));

        NamedTensor t = model.parameters().stream().filter(p -> p.name().endsWith("o_proj.weight")).findFirst().orElseThrow();
        int OC = t.shape()[0], C = t.shape()[1];
        float[] x = new float[C], expected = new float[OC], got = new float[OC];
        for (int i = 0; i < C; i++) x[i] = (float) Math.sin(i);
        Matmul.forward(expected, 0, x, 0, t.data(), t.offset(), 1, C, OC);
        w.projection(t.name()).forward(got, 0, x, 0, 1);
        assertInstanceOf(Matmul.PackedWeight.class, w.projection(t.name()));
        assertArrayEquals(expected, got);
    }

    @Test
    void tiedEmbeddingsGiveAnLmHeadMadeFromTheEmbedding() {
        String json = ModelConfig.named("tiny").toJson().replaceAll("\"tie_word_embeddings\"\\s*:\\s*false", "\"tie_word_embeddings\": true");
        DeepSeekV3Model model = new DeepSeekV3Model(ModelConfig.fromJson(json), 3);
        assertTrue(model.config().tieWordEmbeddings());
        ModelCheckpoint.saveQuantized(tmp.resolve("tied"), model, null, DType.BF16);

        CheckpointWeights w = CheckpointWeights.load(tmp.resolve("tied"));

        WeightMatrix head = w.projection(CheckpointWeights.LM_HEAD);
        assertEquals(model.config().vocabSize(), head.outputChannels());
        float[] x = new float[model.config().hiddenSize()], logits = new float[model.config().vocabSize()];
        x[5] = 1f; // picks column 5 of the embedding
        head.forward(logits, 0, x, 0, 1);
        float[] emb = w.tensor(CheckpointWeights.EMBEDDING);
        for (int v = 0; v < logits.length; v++) assertEquals(emb[v * x.length + 5], logits[v], "logit " + v);
    }

    @Test
    void theReferenceFp8FixtureRunsBitIdenticalToItsPyTorchDequantization() {
        String name = "model.layers.0.mlp.down_proj.weight";
        try (var r = SafetensorsReader.open(fixture("formats.safetensors"))) {
            int OC = 129, C = 130;
            WeightMatrix w = Fp8Weight.pack(r.readBytes(name), 0, r.readBlockScales(name), 0, C, OC);
            float[] x = new float[2 * C], expected = new float[2 * OC], got = new float[2 * OC];
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.cos(i * 0.7);
            Matmul.forward(expected, 0, x, 0, r.read(name + ".expected"), 0, 2, C, OC);
            w.forward(got, 0, x, 0, 2);
            assertArrayEquals(expected, got);
        }
    }

    @Test
    void aMissingScaleInvIsAnErrorNamingFileAndTensor() {
        String name = "model.layers.0.mlp.up_proj.weight";
        Path dir = fp8CopyWith(t -> t.name().equals(name + "_scale_inv") ? null : t);

        var e = assertThrows(CheckpointException.class, () -> CheckpointWeights.load(dir));

        assertTrue(e.getMessage().contains(dir.resolve(Checkpoint.WEIGHTS).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + name + "_scale_inv'"), e.getMessage());
    }

    @Test
    void aTruncatedFp8FileIsAnErrorNamingFileAndTensor() throws IOException {
        Path dir = tmp.resolve("cut");
        ModelCheckpoint.saveQuantized(dir, model(), null, DType.F8_E4M3);
        Path file = dir.resolve(Checkpoint.WEIGHTS);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1000);
        }

        var e = assertThrows(CheckpointException.class, () -> CheckpointWeights.load(dir));

        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("tensor '"), e.getMessage());
    }

    @Test
    void aNanAmongFp8WeightsIsAnErrorNamingTensorAndPosition() {
        String name = "model.layers.0.mlp.up_proj.weight";
        Path dir = fp8CopyWith(t -> {
            if (!t.name().equals(name)) return t;
            byte[] codes = t.data().clone();
            codes[129] = 0x7F; // row 1, column 1 of (384, 128)
            return new EncodedTensor(name, t.dtype(), t.shape(), codes);
        });

        var e = assertThrows(CheckpointException.class, () -> CheckpointWeights.load(dir));

        assertTrue(e.getMessage().startsWith(dir.resolve(Checkpoint.WEIGHTS).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + name + "' [384, 128] holds NaN at element 129"), e.getMessage());
    }

    @Test
    void theFp8CopyDescribesItselfAsHuggingFaceExpects() throws IOException {
        Path dir = tmp.resolve("fp8");
        ModelCheckpoint.saveQuantized(dir, model(), null, DType.F8_E4M3);
        String config = Files.readString(dir.resolve(Checkpoint.CONFIG));
        assertTrue(config.contains("\"torch_dtype\":\"bfloat16\""), config);
        assertTrue(config.contains("\"quantization_config\":{\"activation_scheme\":\"dynamic\",\"fmt\":\"e4m3\","
                + "\"quant_method\":\"fp8\",\"weight_block_size\":[128,128]}"), config);
        try (var r = SafetensorsReader.open(dir)) {
            assertEquals(DType.F32, r.tensor("model.layers.0.self_attn.o_proj.weight_scale_inv").dtype());
            assertEquals(Map.of("format", "pt"), r.metadata());
        }
    }

    /** The tiny model's FP8 copy saved again with each stored tensor mapped by {@code edit} (null drops it). */
    private Path fp8CopyWith(java.util.function.UnaryOperator<EncodedTensor> edit) {
        Path full = tmp.resolve("fp8-full");
        ModelCheckpoint.saveQuantized(full, model(), null, DType.F8_E4M3);
        List<EncodedTensor> kept = new java.util.ArrayList<>();
        try (var r = SafetensorsReader.open(full)) {
            for (TensorInfo t : r.tensors()) {
                EncodedTensor edited = edit.apply(new EncodedTensor(t.name(), t.dtype(), t.shape(), r.readBytes(t.name())));
                if (edited != null) kept.add(edited);
            }
        }
        Path dir = tmp.resolve("fp8-edited");
        Checkpoint.saveEncoded(dir, Checkpoint.readConfig(full), kept, null);
        return dir;
    }

    /** The tiny model's fp32 checkpoint, tensor {@code name} stored in {@code shape} with the same bytes. */
    private Path savedWithShape(String name, int[] shape) {
        DeepSeekV3Model model = model();
        List<NamedTensor> params = model.parameters().stream()
                .map(t -> t.name().equals(name) ? new NamedTensor(name, shape, t.data(), t.offset()) : t).toList();
        Path dir = tmp.resolve("reshaped");
        Checkpoint.save(dir, model.config().toJson(), params, model.buffers(), null);
        return dir;
    }

    private static void assertNames(String message, String... parts) {
        for (String part : parts) assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
    }

    @Test
    void aTransposedLmHeadOfTheRightSizeIsRefusedNamingFileTensorAndBothShapes() {
        Path dir = savedWithShape("lm_head.weight", new int[] {128, 512});

        var e = assertThrows(CheckpointException.class, () -> CheckpointWeights.load(dir));

        assertNames(e.getMessage(), dir.resolve(Checkpoint.WEIGHTS).toString(),
                "tensor 'lm_head.weight' has shape [128, 512], expected [512, 128] (stored transposed)",
                dir.resolve(Checkpoint.CONFIG).toString());
        var training = assertThrows(CheckpointException.class, () -> ModelCheckpoint.load(dir));
        assertNames(training.getMessage(), "'lm_head.weight' has shape [128, 512], expected [512, 128] (stored transposed)");
    }

    @Test
    void aTransposedExpertProjectionIsRefusedNamingIt() {
        String name = "model.layers.2.mlp.experts.5.down_proj.weight";
        Path dir = savedWithShape(name, new int[] {64, 128});

        var e = assertThrows(CheckpointException.class, () -> CheckpointWeights.load(dir));

        assertNames(e.getMessage(), dir.resolve(Checkpoint.WEIGHTS).toString(),
                "tensor '" + name + "' has shape [64, 128], expected [128, 64] (stored transposed)");
    }

    @Test
    void aHiddenSizeThatDisagreesWithTheTensorsNamesTheConfigAndTheFirstTensors() throws IOException {
        Path dir = tmp.resolve("narrow");
        ModelCheckpoint.save(dir, model(), null, null);
        Path config = dir.resolve(Checkpoint.CONFIG);
        Files.writeString(config, Files.readString(config).replaceAll("\"hidden_size\"\\s*:\\s*128", "\"hidden_size\": 64"));

        var e = assertThrows(CheckpointException.class, () -> CheckpointWeights.load(dir));

        assertNames(e.getMessage(), dir.resolve(Checkpoint.WEIGHTS).toString(),
                "tensor 'model.embed_tokens.weight' has shape [512, 128], expected [512, 64]", "more", config.toString());
        var training = assertThrows(CheckpointException.class, () -> ModelCheckpoint.load(dir));
        assertNames(training.getMessage(), "expected [512, 64]", config.toString());
    }

    @Test
    void aNanWeightIsRefusedAtLoadNamingTheTensorAndElement() {
        DeepSeekV3Model model = model();
        NamedTensor gate = model.parameters().stream().filter(t -> t.name().equals("model.layers.1.mlp.gate.weight")).findFirst().orElseThrow();
        gate.data()[gate.offset() + 7] = Float.NaN;
        Path dir = tmp.resolve("nan");
        ModelCheckpoint.save(dir, model, null, null);

        var e = assertThrows(CheckpointException.class, () -> CheckpointWeights.load(dir));
        assertNames(e.getMessage(), dir.resolve(Checkpoint.WEIGHTS).toString(),
                "tensor 'model.layers.1.mlp.gate.weight' [8, 128] holds NaN at element 7");
        var training = assertThrows(CheckpointException.class, () -> ModelCheckpoint.load(dir));
        assertNames(training.getMessage(), dir.resolve(Checkpoint.WEIGHTS).toString(),
                "tensor 'model.layers.1.mlp.gate.weight' [8, 128] holds NaN at element 7");
    }

    @Test
    void anInfiniteWeightInABf16ProjectionIsRefusedAsStored() {
        DeepSeekV3Model model = model();
        NamedTensor o = model.parameters().stream().filter(t -> t.name().equals("model.layers.0.self_attn.o_proj.weight")).findFirst().orElseThrow();
        o.data()[o.offset() + 3] = Float.NEGATIVE_INFINITY;
        Path dir = tmp.resolve("inf");
        ModelCheckpoint.saveQuantized(dir, model, null, DType.BF16);

        var e = assertThrows(CheckpointException.class, () -> CheckpointWeights.load(dir));

        assertNames(e.getMessage(), "tensor 'model.layers.0.self_attn.o_proj.weight' [128, 64] holds an infinity at element 3");
    }
}
