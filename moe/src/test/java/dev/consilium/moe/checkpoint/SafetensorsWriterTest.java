package dev.consilium.moe.checkpoint;

import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.consilium.moe.checkpoint.SafetensorsReaderTest.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsWriterTest {
    @TempDir
    Path tmp;

    /** The three tensors of reference_f32.safetensors, as views into one flat buffer in model order. */
    private static List<NamedTensor> referenceTensors() {
        float[] flat = new float[12 + 3 + 6];
        for (int i = 0; i < 12; i++) flat[i] = (float) i / 7;
        flat[12] = 1f;
        flat[13] = 0.5f;
        flat[14] = -0.25f;
        for (int i = 0; i < 6; i++) flat[15 + i] = (float) (-1 + i * 0.4);
        return List.of(new NamedTensor("model.embed_tokens.weight", new int[]{3, 4}, flat, 0),
                new NamedTensor("model.norm.weight", new int[]{3}, flat, 12),
                new NamedTensor("lm_head.weight", new int[]{2, 3}, flat, 15));
    }

    @Test
    void f32FileIsByteIdenticalToTheReferenceImplementations() throws IOException {
        Path out = tmp.resolve("model.safetensors");
        SafetensorsWriter.write(out, referenceTensors());
        byte[] expected = Files.readAllBytes(fixture("reference_f32.safetensors"));
        try (var ref = SafetensorsReader.open(fixture("reference_f32.safetensors"))) {
            // Same values to the bit first, so a mismatch below is about layout.
            for (NamedTensor t : referenceTensors()) {
                float[] mine = new float[t.size()];
                System.arraycopy(t.data(), t.offset(), mine, 0, t.size());
                assertArrayEquals(ref.read(t.name()), mine, t.name());
            }
        }
        assertArrayEquals(expected, Files.readAllBytes(out));
    }

    @Test
    void roundTripIsBitIdenticalAndHeaderIsAligned() throws IOException {
        float[] flat = new float[1000 + 7];
        var rnd = new java.util.SplittableRandom(1);
        for (int i = 0; i < flat.length; i++) flat[i] = (float) rnd.nextGaussian();
        flat[3] = Float.NaN;
        flat[4] = -0f;
        flat[5] = Float.MIN_VALUE;
        List<NamedTensor> ts = List.of(new NamedTensor("b", new int[]{10, 100}, flat, 0),
                new NamedTensor("a", new int[]{7}, flat, 1000), new NamedTensor("empty", new int[]{0, 3}, flat, 0));
        Path out = tmp.resolve("x.safetensors");
        SafetensorsWriter.write(out, ts, DType.F32, Map.of("step", "3"));
        try (var r = SafetensorsReader.open(out)) {
            assertEquals(List.of("a", "b", "empty"), r.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(Map.of("format", "pt", "step", "3"), r.metadata());
            float[] b = r.read("b");
            for (int i = 0; i < 1000; i++) assertEquals(Float.floatToRawIntBits(flat[i]), Float.floatToRawIntBits(b[i]));
            assertEquals(0, r.read("empty").length);
        }
        long headerLength = java.nio.ByteBuffer.wrap(Files.readAllBytes(out), 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
    }

    @Test
    void aFileWithNoDataBytesReads() {
        Path out = tmp.resolve("empty.safetensors");
        SafetensorsWriter.write(out, List.of(new NamedTensor("none", new int[]{0}, new float[0], 0)));
        try (var r = SafetensorsReader.open(out)) {
            assertEquals(0, r.read("none").length);
        }
    }

    @Test
    void bf16FileHoldsRoundedValues() {
        float[] flat = {1f, (float) Math.PI, Float.intBitsToFloat(0x3F808000), -1e-3f};
        Path out = tmp.resolve("bf16.safetensors");
        SafetensorsWriter.write(out, List.of(new NamedTensor("w", new int[]{2, 2}, flat, 0)), DType.BF16, Map.of());
        try (var r = SafetensorsReader.open(out)) {
            assertEquals(DType.BF16, r.tensor("w").dtype());
            float[] back = r.read("w");
            for (int i = 0; i < flat.length; i++) {
                assertEquals(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(flat[i])), back[i]);
            }
        }
    }

    @Test
    void rewritingReplacesTheFileAndLeavesNoTempFiles() throws IOException {
        Path out = tmp.resolve("m.safetensors");
        SafetensorsWriter.write(out, List.of(new NamedTensor("a", new int[]{1}, new float[]{1f}, 0)));
        SafetensorsWriter.write(out, List.of(new NamedTensor("a", new int[]{1}, new float[]{2f}, 0)));
        try (var r = SafetensorsReader.open(out)) {
            assertArrayEquals(new float[]{2f}, r.read("a"));
        }
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("m.safetensors"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void duplicateNamesAreRefusedBeforeWriting() {
        float[] d = new float[2];
        Path out = tmp.resolve("d.safetensors");
        var e = assertThrows(CheckpointException.class, () -> SafetensorsWriter.write(out,
                List.of(new NamedTensor("a", new int[]{1}, d, 0), new NamedTensor("a", new int[]{1}, d, 1))));
        assertTrue(e.getMessage().contains("duplicate tensor name 'a'"), e.getMessage());
        assertTrue(Files.notExists(out));
    }

    @Test
    void shardedCheckpointsReadThroughTheirIndex() throws IOException {
        float[] flat = {1, 2, 3, 4, 5, 6};
        SafetensorsWriter.write(tmp.resolve("model-00001-of-00002.safetensors"),
                List.of(new NamedTensor("a", new int[]{2}, flat, 0)));
        SafetensorsWriter.write(tmp.resolve("model-00002-of-00002.safetensors"),
                List.of(new NamedTensor("b", new int[]{2, 2}, flat, 2)));
        Files.writeString(tmp.resolve(SafetensorsReader.INDEX_FILE), """
                {"metadata": {"total_size": 24},
                 "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        try (var r = SafetensorsReader.open(tmp)) {
            assertArrayEquals(new float[]{1, 2}, r.read("a"));
            assertArrayEquals(new float[]{3, 4, 5, 6}, r.read("b"));
        }
        Files.writeString(tmp.resolve(SafetensorsReader.INDEX_FILE), """
                {"weight_map": {"a": "model-00002-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        var e = assertThrows(CheckpointException.class, () -> SafetensorsReader.open(tmp).close());
        assertTrue(e.getMessage().contains("puts 'a' in model-00002-of-00002.safetensors, which holds no such tensor"), e.getMessage());
    }

    @Test
    void encodedTensorsKeepTheirOwnDtypesAndReadBackAsStored() {
        Path out = tmp.resolve("mixed.safetensors");
        byte[] fp8 = {0x38, (byte) 0xC4, 0x01, 0x7E, 0, 8};
        short[] bf16 = {0x3F80, (short) 0xC000, 0x0001};
        float[] scale = {0.5f};
        SafetensorsWriter.writeEncoded(out, List.of(
                new EncodedTensor("w", DType.F8_E4M3, new int[]{2, 3}, fp8),
                EncodedTensor.of(new NamedTensor("w_scale_inv", new int[]{1, 1}, scale, 0), DType.F32),
                EncodedTensor.of(new NamedTensor("norm", new int[]{3}, new float[]{1f, -2f, 0x1p-133f}, 0), DType.BF16)),
                Map.of());
        try (var r = SafetensorsReader.open(out)) {
            assertEquals(List.of("norm", "w", "w_scale_inv"), r.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(fp8, r.readBytes("w"));
            assertArrayEquals(bf16, r.readShorts("norm"));
            assertArrayEquals(scale, r.readBlockScales("w"));
            assertArrayEquals(new float[]{0.5f, -1.5f, 0x1p-10f, 224f, 0f, 0x1p-7f}, r.read("w"));
        }
    }

    /** The JSON header of a safetensors file, without its padding. */
    static String header(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int n = (int) java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(bytes, 8, n, java.nio.charset.StandardCharsets.UTF_8).strip();
    }

    @Test
    void metadataIsWrittenInSortedOrderWhateverOrderTheMapIterates() throws IOException {
        var unsorted = new java.util.LinkedHashMap<String, String>();
        unsorted.put("step", "3");
        unsorted.put("optimizer", "adamw");
        Path out = tmp.resolve("meta.safetensors");

        SafetensorsWriter.write(out, List.of(new NamedTensor("a", new int[] {1}, new float[] {1f}, 0)), DType.F32, unsorted);

        assertTrue(header(out).startsWith("{\"__metadata__\":{\"format\":\"pt\",\"optimizer\":\"adamw\",\"step\":\"3\"},"),
                header(out));
    }
}
