package dev.consilium.moe.checkpoint;

import dev.consilium.moe.optim.AdamW;
import dev.consilium.moe.optim.LrSchedule;
import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path tmp;

    private static final String CONFIG = "{\"model_type\": \"deepseek_v3\", \"hidden_size\": 4}";
    private static final byte[] TOKENIZER = "{\"model\": {\"type\": \"BPE\"}}".getBytes(StandardCharsets.UTF_8);

    /** The model's side: a flat parameter buffer of 4x3 embeddings, a norm and a 2x4 matrix. */
    private static List<NamedTensor> params(float[] flat) {
        return List.of(new NamedTensor("model.embed_tokens.weight", new int[]{4, 3}, flat, 0),
                new NamedTensor("model.norm.weight", new int[]{3}, flat, 12),
                new NamedTensor("lm_head.weight", new int[]{2, 4}, flat, 15));
    }

    private static List<NamedTensor> buffers(float[] flat) {
        return List.of(new NamedTensor("model.layers.0.mlp.gate.e_score_correction_bias", new int[]{4}, flat, 0));
    }

    private static float[] random(int n, long seed) {
        var rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    private static void assertSameBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripRestoresWeightsBuffersAndTrainingBitForBit() {
        float[] p = random(23, 1), b = random(4, 2);
        p[0] = Float.NaN;
        p[1] = -0f;
        var adam = AdamW.builder(params(p)).build();
        for (int s = 0; s < 3; s++) adam.step(p, random(23, 10 + s), 1e-2f);
        var state = new TrainingState(3, 42, new long[]{-1L, Long.MAX_VALUE, 7},
                new LrSchedule(3e-4f, 10, 1000, 0.1f), 3, adam.exportState());
        Path dir = tmp.resolve("ckpt");
        Checkpoint.save(dir, CONFIG, params(p), buffers(b), TOKENIZER, state);

        float[] p2 = new float[23], b2 = new float[4];
        Checkpoint.Loaded loaded = Checkpoint.load(dir, params(p2), buffers(b2));
        assertSameBits(p, p2);
        assertSameBits(b, b2);
        assertEquals(CONFIG, loaded.configJson());
        assertArrayEquals(TOKENIZER, loaded.tokenizerJson());
        assertEquals(List.of(), loaded.unusedTensors());
        TrainingState back = loaded.trainingState();
        assertEquals(List.of(3L, 42L, 3L), List.of(back.step(), back.seed(), back.scheduleStep()));
        assertArrayEquals(new long[]{-1L, Long.MAX_VALUE, 7}, back.rngState());
        assertEquals(state.schedule(), back.schedule());

        // Resuming through the files continues exactly as the run that never stopped.
        var resumed = AdamW.builder(params(p2)).build();
        resumed.importState(back.optimizer());
        for (int s = 3; s < 5; s++) {
            float[] g = random(23, 10 + s);
            adam.step(p, g, 1e-2f);
            resumed.step(p2, g, 1e-2f);
        }
        assertSameBits(p, p2);
    }

    @Test
    void inspectListsFilesAndTensorsWithoutReadingThem() {
        float[] p = random(23, 1);
        var adam = AdamW.builder(params(p)).build();
        Path dir = tmp.resolve("ckpt");
        Checkpoint.save(dir, CONFIG, params(p), buffers(new float[4]), null,
                new TrainingState(0, 1, new long[0], null, 0, adam.exportState()));
        Checkpoint.Contents c = Checkpoint.inspect(dir);
        assertEquals(List.of("config.json", "model.safetensors", "optimizer.safetensors", "training_state.json"), c.files());
        assertEquals(List.of("lm_head.weight", "model.embed_tokens.weight", "model.layers.0.mlp.gate.e_score_correction_bias",
                "model.norm.weight"), c.weights().stream().map(TensorInfo::name).toList());
        assertEquals(6, c.optimizerTensors().size());
        assertEquals(CONFIG, c.configJson());
        assertNull(Checkpoint.load(dir, params(new float[23]), List.of()).tokenizerJson());
    }

    @Test
    void missingTensorsAndWrongShapesAreNamedAndNothingIsWritten() {
        Path dir = tmp.resolve("ckpt");
        Checkpoint.save(dir, CONFIG, params(random(23, 1)), List.of(), null);
        float[] target = new float[30];
        List<NamedTensor> views = List.of(new NamedTensor("model.embed_tokens.weight", new int[]{3, 4}, target, 0),
                new NamedTensor("model.norm.weight", new int[]{3}, target, 12),
                new NamedTensor("model.layers.0.self_attn.kv_b_proj.weight", new int[]{3, 5}, target, 15));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, views, List.of()));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("tensor 'model.embed_tokens.weight' has shape [4, 3], expected [3, 4]"), e.getMessage());
        assertTrue(e.getMessage().contains("missing tensor 'model.layers.0.self_attn.kv_b_proj.weight', expected shape [3, 5]"), e.getMessage());
        assertArrayEquals(new float[30], target);
    }

    @Test
    void aCorruptWeightsFileIsReportedByFileAndTensor() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint.save(dir, CONFIG, params(random(23, 1)), List.of(), null);
        Path weights = dir.resolve(Checkpoint.WEIGHTS);
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(weights) - 4);
        }
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, params(new float[23]), List.of()));
        assertTrue(e.getMessage().contains(weights.toString()) && e.getMessage().contains("'model.norm.weight'")
                && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aMissingConfigIsNamed() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint.save(dir, CONFIG, params(random(23, 1)), List.of(), null);
        Files.delete(dir.resolve(Checkpoint.CONFIG));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.readConfig(dir));
        assertEquals(dir.resolve("config.json") + ": missing", e.getMessage());
    }

    // ---- every state a crash can leave, made by hand (the kill test reaches them at random) ----

    private void saveGeneration(Path dir, int gen) {
        float[] p = new float[23];
        java.util.Arrays.fill(p, gen);
        Checkpoint.save(dir, "{\"generation\": " + gen + "}", params(p), List.of(), null);
    }

    private int loadGeneration(Path dir) {
        float[] p = new float[23];
        var loaded = Checkpoint.load(dir, params(p), List.of());
        for (float x : p) assertEquals(p[0], x, "a mix of checkpoints");
        assertEquals("{\"generation\": " + (int) p[0] + "}", loaded.configJson(), "weights and config disagree");
        return (int) p[0];
    }

    @Test
    void crashWhileWritingTheTempDirectory() throws IOException {
        Path dir = tmp.resolve("ckpt");
        saveGeneration(dir, 1);
        Path partial = Files.createDirectory(tmp.resolve("ckpt.tmp-0badf00d"));
        Files.writeString(partial.resolve("config.json"), "{\"generation\": 2}");
        assertEquals(1, loadGeneration(dir));
        saveGeneration(dir, 3);
        assertEquals(3, loadGeneration(dir));
        assertEquals(List.of("ckpt", "ckpt.lock"), siblings());
    }

    @Test
    void crashBetweenMovingTheOldAsideAndTheNewIn() throws IOException {
        Path dir = tmp.resolve("ckpt");
        saveGeneration(dir, 1);
        saveGeneration(tmp.resolve("ckpt.tmp-12345678"), 2); // a complete new one, not yet renamed
        Files.delete(tmp.resolve("ckpt.tmp-12345678.lock"));
        Files.move(dir, tmp.resolve("ckpt.old"));
        assertTrue(Checkpoint.exists(dir));
        assertEquals(1, loadGeneration(dir));
        saveGeneration(dir, 3);
        assertEquals(3, loadGeneration(dir));
        assertEquals(List.of("ckpt", "ckpt.lock"), siblings());
    }

    @Test
    void crashBeforeDeletingTheBackup() throws IOException {
        Path dir = tmp.resolve("ckpt");
        saveGeneration(dir, 2);
        saveGeneration(tmp.resolve("ckpt.old"), 1); // the backup a crash before step 6 leaves
        Files.delete(tmp.resolve("ckpt.old.lock"));
        assertEquals(2, loadGeneration(dir));
        saveGeneration(dir, 3);
        assertEquals(3, loadGeneration(dir));
        assertEquals(List.of("ckpt", "ckpt.lock"), siblings());
    }

    @Test
    void noCheckpointAtAllIsAnError() {
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.readConfig(tmp.resolve("none")));
        assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
        assertFalse(Checkpoint.exists(tmp.resolve("none")));
    }

    @Test
    void aDirectoryThatIsNotACheckpointIsNeverReplaced() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("home"));
        Files.writeString(dir.resolve("notes.txt"), "precious");
        var e = assertThrows(CheckpointException.class, () -> saveGeneration(dir, 1));
        assertTrue(e.getMessage().contains("refusing to replace it"), e.getMessage());
        assertEquals("precious", Files.readString(dir.resolve("notes.txt")));
    }

    @Test
    void deepSeekFp8WeightsLoadDequantizedAndScalesCountAsUsed() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("hf"));
        Files.copy(SafetensorsReaderTest.fixture("formats.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), CONFIG);
        String w = "model.layers.0.mlp.down_proj.weight";
        float[] flat = new float[129 * 130];
        var loaded = Checkpoint.load(dir, List.of(new NamedTensor(w, new int[]{129, 130}, flat, 0)), List.of());
        try (var r = SafetensorsReader.open(dir)) {
            assertSameBits(r.read(w + ".expected"), flat);
        }
        assertTrue(loaded.unusedTensors().contains("position_ids"));
        assertFalse(loaded.unusedTensors().contains(w + "_scale_inv"));
    }

    @Test
    void theOptimizerFileIsTheSameBytesInEveryJvm() throws IOException {
        float[] p = random(23, 1);
        var adam = AdamW.builder(params(p)).build();
        adam.step(p, random(23, 2), 1e-2f);
        var state = new TrainingState(1, 1, new long[0], null, 1, adam.exportState());
        Checkpoint.save(tmp.resolve("a"), CONFIG, params(p), buffers(new float[4]), null, state);
        Checkpoint.save(tmp.resolve("b"), CONFIG, params(p), buffers(new float[4]), null, state);

        Path a = tmp.resolve("a").resolve(Checkpoint.OPTIMIZER), b = tmp.resolve("b").resolve(Checkpoint.OPTIMIZER);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        // Two saves in one JVM agree even with Map.of's per-JVM order; a fixed header ordering is what makes
        // separate runs agree.
        assertTrue(SafetensorsWriterTest.header(a).startsWith(
                "{\"__metadata__\":{\"format\":\"pt\",\"optimizer\":\"" + adam.exportState().kind() + "\",\"step\":\"1\"},"),
                SafetensorsWriterTest.header(a));
    }
}
