package dev.consilium.moe.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads files written by the reference implementation (Python safetensors, values from ml_dtypes; see
 * resources/checkpoint/make_fixtures.py) and refuses malformed ones with errors naming file and tensor.
 */
class SafetensorsReaderTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(SafetensorsReaderTest.class.getResource("/checkpoint/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertSameBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), "element " + i);
        }
    }

    @Test
    void narrowFormatsWidenExactlyAsTheReferenceDoes() {
        try (var r = SafetensorsReader.open(fixture("formats.safetensors"))) {
            assertSameBits(r.read("bf16.expected"), r.read("bf16"));
            assertSameBits(r.read("f16.expected"), r.read("f16"));
            assertSameBits(r.read("f8_all.expected"), r.read("f8_all"));
            assertEquals("pt", r.metadata().get("format"));
        }
    }

    @Test
    void bf16EncodingMatchesTheReferenceRounding() {
        try (var r = SafetensorsReader.open(fixture("formats.safetensors"))) {
            float[] input = r.read("bf16_encode.input");
            float[] rounded = r.read("bf16_encode.rounded");
            for (int i = 0; i < input.length; i++) {
                assertEquals(Float.floatToIntBits(rounded[i]),
                        Float.floatToIntBits(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(input[i]))), "element " + i);
            }
        }
    }

    @Test
    void deepSeekFp8DequantizesWithItsBlockScales() {
        try (var r = SafetensorsReader.open(fixture("formats.safetensors"))) {
            String w = "model.layers.0.mlp.down_proj.weight";
            assertSameBits(r.read(w + ".expected"), r.read(w));
            assertEquals(java.util.List.of(w, w + "_scale_inv"), r.sourcesOf(w));
        }
    }

    @Test
    void integerTensorsValidateButDoNotReadAsFloat() {
        try (var r = SafetensorsReader.open(fixture("formats.safetensors"))) {
            assertEquals(DType.I64, r.tensor("position_ids").dtype());
            var e = assertThrows(CheckpointException.class, () -> r.read("position_ids"));
            assertTrue(e.getMessage().contains("'position_ids' has dtype I64"), e.getMessage());
        }
    }

    @Test
    void offsetsPastTwoGigabytesRead() throws IOException {
        // A sparse file: 2^31 + 8 bytes of U8 padding (never touched), then four floats.
        long pad = (1L << 31) + 8;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[2," + pad / 2 + "],\"data_offsets\":[0," + pad + "]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + pad + "," + (pad + 16) + "]}}";
        Path file = tmp.resolve("big.safetensors");
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        try (var raf = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer prefix = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h);
            raf.write(prefix.array());
            long dataStart = 8 + h.length;
            raf.setLength(dataStart + pad + 16);
            raf.seek(dataStart + pad);
            ByteBuffer x = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(0f).putFloat(7f);
            raf.write(x.array());
        }
        try (var r = SafetensorsReader.open(file)) {
            assertArrayEquals(new float[]{1.5f, -2f, 0f, 7f}, r.read("x"));
        }
    }

    // ---- malformed files ----

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private Path file(long declaredLength, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(h);
        Path f = tmp.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static String openFails(Path file) {
        return assertThrows(CheckpointException.class, () -> SafetensorsReader.open(file).close()).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
    }

    @Test
    void headerLongerThanTheFileIsRefused() throws IOException {
        Path f = file(1000, "{}", 0);
        assertMentions(openFails(f), f.toString(), "header length 1000");
    }

    @Test
    void truncatedDataNamesTheTensorThatRunsPastTheEnd() throws IOException {
        Path f = file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[4]", 8, 24) + "}", 20);
        assertMentions(openFails(f), f.toString(), "'b'", "truncated");
    }

    @Test
    void offsetsThatDisagreeWithDtypeAndShapeAreRefused() throws IOException {
        Path f = file("{" + entry("w", "BF16", "[3,2]", 0, 8) + "}", 8);
        assertMentions(openFails(f), "'w'", "span 8 bytes", "BF16 [3, 2] needs 12");
    }

    @Test
    void overlappingOffsetsAreRefused() throws IOException {
        Path f = file("{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 8, 24) + "}", 24);
        assertMentions(openFails(f), "'b'", "overlap tensor 'a'");
    }

    @Test
    void gapsBetweenTensorsAreRefused() throws IOException {
        Path f = file("{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[1]", 20, 24) + "}", 24);
        assertMentions(openFails(f), "'b'", "gap after byte 16");
    }

    @Test
    void bytesAfterTheLastTensorAreRefused() throws IOException {
        Path f = file("{" + entry("a", "F32", "[1]", 0, 4) + "}", 12);
        assertMentions(openFails(f), "8 bytes after the last tensor");
    }

    @Test
    void unknownDtypeIsNamed() throws IOException {
        Path f = file("{" + entry("q", "F4X", "[2]", 0, 1) + "}", 1);
        assertMentions(openFails(f), "'q'", "unknown dtype \"F4X\"");
    }

    @Test
    void malformedHeaderJsonIsRefused() throws IOException {
        Path f = file("{\"a\":{\"dtype\":\"F32\",", 0);
        assertMentions(openFails(f), f.toString(), "malformed header JSON");
    }

    @Test
    void duplicateNamesAreRefused() throws IOException {
        Path f = file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}", 8);
        assertMentions(openFails(f), "duplicate tensor name 'a'");
    }

    @Test
    void aFileCutShortAfterWritingIsRefused() throws IOException {
        Path f = tmp.resolve("cut.safetensors");
        float[] data = new float[100];
        SafetensorsWriter.write(f, java.util.List.of(new dev.consilium.moe.tensor.NamedTensor("a", new int[]{10, 10}, data, 0)));
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(f) - 3);
        }
        assertMentions(openFails(f), f.toString(), "'a'", "truncated");
    }
}
