package dev.consilium.moe.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.consilium.moe.checkpoint.FloatFormats;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Bf16Weight} and {@link Fp8Weight} against the matrix they stand for, decoded element by element with
 * {@link FloatFormats} (the checkpoint reader's decoding): shapes with partial groups, partial 128-blocks and
 * K past a K block, one token and a batch, arrays addressed from nonzero offsets.
 */
class NarrowWeightTest {
    private static final float SENTINEL = -7.25f;

    /** A weight and the fp32 matrix (OC, C) it decodes to. */
    record Narrow(WeightMatrix weight, float[] decoded) {}

    /** (C, OC): inputs, outputs. */
    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1}, {5, 33}, {300, 37}, {257, 130}, {513, 200}, {128, 128}};
        return Stream.of("bf16", "fp8").flatMap(f -> Arrays.stream(shapes).map(s -> Arguments.of(f, s[0], s[1])));
    }

    static Narrow make(String format, int C, int OC, Random r) {
        if (format.equals("bf16")) return bf16(C, OC, r);
        float[] scales = new float[ceil(OC) * ceil(C)];
        for (int i = 0; i < scales.length; i++) scales[i] = (float) Math.exp(r.nextGaussian() * 2) * 1e-3f;
        return fp8(C, OC, scales, r);
    }

    static Narrow bf16(int C, int OC, Random r) {
        short[] bits = new short[3 + OC * C];
        float[] decoded = new float[OC * C];
        for (int i = 0; i < decoded.length; i++) {
            bits[3 + i] = FloatFormats.floatToBf16((float) r.nextGaussian());
            decoded[i] = FloatFormats.bf16ToFloat(bits[3 + i]);
        }
        return new Narrow(Bf16Weight.pack(bits, 3, C, OC), decoded);
    }

    /** Random e4m3 bytes, every finite code including subnormals and both zeros; scales (ceil(OC/128), ceil(C/128)). */
    static Narrow fp8(int C, int OC, float[] scales, Random r) {
        byte[] codes = new byte[2 + OC * C];
        float[] decoded = new float[OC * C];
        int sc = ceil(C);
        for (int i = 0; i < decoded.length; i++) {
            int b;
            do b = r.nextInt(256); while ((b & 0x7F) == 0x7F);
            codes[2 + i] = (byte) b;
            int row = i / C, col = i % C;
            decoded[i] = FloatFormats.e4m3ToFloat((byte) b) * scales[row / 128 * sc + col / 128];
        }
        float[] padded = new float[1 + scales.length];
        System.arraycopy(scales, 0, padded, 1, scales.length);
        return new Narrow(Fp8Weight.pack(codes, 2, padded, 1, C, OC), decoded);
    }

    @ParameterizedTest(name = "{0} C={1} OC={2}")
    @MethodSource("cases")
    void forwardEqualsFp32MatmulOnTheDecodedMatrixAloneInFewRowsAndInABatch(String format, int C, int OC) {
        Random r = new Random(31L * C + OC);
        Narrow w = make(format, C, OC, r);
        for (int N : new int[] {1, 2, 3, 37}) {
            float[] inp = random(r, 5 + N * C);
            float[] expected = new float[N * OC];
            Matmul.forward(expected, 0, inp, 5, w.decoded(), 0, N, C, OC);
            float[] out = new float[7 + N * OC + 9];
            Arrays.fill(out, SENTINEL);

            w.weight().forward(out, 7, inp, 5, N);

            assertArrayEquals(expected, Arrays.copyOfRange(out, 7, 7 + N * OC), "N=" + N);
            for (int i = 0; i < 7; i++) assertEquals(SENTINEL, out[i], "out[" + i + "] before the output");
            for (int i = 7 + N * OC; i < out.length; i++) assertEquals(SENTINEL, out[i], "out[" + i + "] after the output");
        }
    }

    @ParameterizedTest(name = "{0} C={1} OC={2}")
    @MethodSource("cases")
    void forwardIsCloseToTheScalarProductOfTheDecodedMatrix(String format, int C, int OC) {
        Random r = new Random(17L * C + OC);
        Narrow w = make(format, C, OC, r);
        int N = 37;
        float[] inp = random(r, N * C);
        float[] expected = new float[N * OC], out = new float[N * OC];
        Matmul.forwardScalar(expected, 0, inp, 0, w.decoded(), 0, N, C, OC);

        w.weight().forward(out, 0, inp, 0, N);

        for (int n = 0; n < N; n++) {
            for (int oc = 0; oc < OC; oc++) {
                double mag = 0;
                for (int c = 0; c < C; c++) mag += Math.abs((double) inp[n * C + c] * w.decoded()[oc * C + c]);
                float e = expected[n * OC + oc], o = out[n * OC + oc];
                assertTrue(Math.abs(e - o) <= 4 * C * 0x1p-24 * mag + 1e-30,
                        "out[" + n + ", " + oc + "] = " + o + ", scalar " + e);
            }
        }
    }

    @ParameterizedTest(name = "{0} C={1} OC={2}")
    @MethodSource("cases")
    void aTokenGetsTheSameBitsAloneAsInABatch(String format, int C, int OC) {
        Random r = new Random(5L * C + OC);
        Narrow w = make(format, C, OC, r);
        int N = 37;
        float[] inp = random(r, N * C), batch = new float[N * OC], alone = new float[OC];
        w.weight().forward(batch, 0, inp, 0, N);
        for (int n = 0; n < N; n += 9) {
            w.weight().forward(alone, 0, inp, n * C, 1);
            assertArrayEquals(Arrays.copyOfRange(batch, n * OC, (n + 1) * OC), alone, "token " + n);
        }
    }

    @Test
    void eachFp8BlockIsScaledByItsOwnScale() {
        // Two by two blocks with partial edges; scales five orders of magnitude apart.
        int C = 200, OC = 150;
        float[] scales = {1e-4f, 10f, 3f, 2e-2f};
        byte[] codes = new byte[OC * C];
        Arrays.fill(codes, (byte) 0x38); // e4m3 1.0 everywhere, so each weight is its block's scale
        WeightMatrix w = Fp8Weight.pack(codes, 0, scales, 0, C, OC);
        float[] inp = new float[C];
        Arrays.fill(inp, 0, 128, 1f); // only the first column block counts
        float[] out = new float[OC];

        w.forward(out, 0, inp, 0, 1);

        assertEquals(128 * 1e-4f, out[0], 1e-7f, "row block 0, column block 0");
        assertEquals(128 * 3f, out[140], 1e-3f, "row block 1, column block 0");
        Arrays.fill(inp, 0f);
        Arrays.fill(inp, 128, C, 1f); // only the partial second column block
        w.forward(out, 0, inp, 0, 1);
        assertEquals(72 * 10f, out[127], 1e-3f, "row block 0, column block 1");
        assertEquals(72 * 2e-2f, out[149], 1e-5f, "row block 1, column block 1");
    }

    @Test
    void fp8TakesAQuarterOfFp32AndBf16AHalf() {
        int C = 1024, OC = 768;
        Random r = new Random(9);
        long fp32 = Matmul.pack(new float[OC * C], 0, C, OC).bytes();
        long fp8 = make("fp8", C, OC, r).weight().bytes();
        long bf16 = make("bf16", C, OC, r).weight().bytes();
        assertEquals(4L * OC * C, fp32);
        assertEquals(OC * C + 4L * 6 * 8, fp8, "one byte per weight and a float per 128x128 block");
        assertEquals(2L * OC * C, bf16);
    }

    @Test
    void fp8RejectsANanCodeNamingWhereItIs() {
        byte[] codes = new byte[4 * 3];
        codes[2 * 3 + 1] = (byte) 0xFF;
        var e = assertThrows(IllegalArgumentException.class, () -> Fp8Weight.pack(codes, 0, new float[] {1f}, 0, 3, 4));
        assertTrue(e.getMessage().contains("[2][1]"), e.getMessage());
    }

    @Test
    void fp8RejectsAScaleThatWouldOverflow() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Fp8Weight.pack(new byte[4], 0, new float[] {Float.POSITIVE_INFINITY}, 0, 2, 2));
        assertTrue(e.getMessage().contains("scale_inv[0][0]"), e.getMessage());
    }

    private static int ceil(int n) {
        return (n + 127) / 128;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
