package dev.consilium.moe.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast products against a double-precision product of the same float inputs, on shapes that hit every
 * edge of the packed kernel: single elements, primes, partial tiles in both directions, K crossing the
 * K-block boundary, rows crossing a task's row block, and arrays addressed from nonzero offsets.
 */
class MatmulTest {
    private static final float SENTINEL = -7.25f;

    /** (N, C, OC): tokens, input channels, output channels. */
    static int[][] shapes() {
        return new int[][] {
                {1, 1, 1}, {1, 7, 3}, {3, 5, 17}, {4, 16, 16}, {5, 17, 33}, {13, 31, 37}, {8, 32, 32},
                {2, 1000, 1}, {37, 300, 41}, {130, 513, 19}, {257, 64, 48}, {61, 257, 129}, {500, 3, 2},
                {1, 256, 96}, {7, 600, 70}, {12000, 2, 300},
        };
    }

    @ParameterizedTest(name = "N={0}")
    @MethodSource("shapes")
    void forwardMatchesTheExactProductAndTouchesNothingOutsideOut(int[] s) {
        int N = s[0], C = s[1], OC = s[2];
        Random r = new Random(31L * N + C + 7L * OC);
        int inOff = 3, wOff = 5, outOff = 11;
        float[] inp = random(r, inOff + N * C);
        float[] w = random(r, wOff + OC * C);
        float[] out = new float[outOff + N * OC + 9];
        Arrays.fill(out, SENTINEL);

        Matmul.forward(out, outOff, inp, inOff, w, wOff, N, C, OC);

        for (int n = 0; n < N; n++) {
            for (int oc = 0; oc < OC; oc++) {
                double exact = 0, mag = 0;
                for (int c = 0; c < C; c++) {
                    double p = (double) inp[inOff + n * C + c] * w[wOff + oc * C + c];
                    exact += p;
                    mag += Math.abs(p);
                }
                assertClose(exact, mag, C, out[outOff + n * OC + oc], "out[" + n + ", " + oc + "]");
            }
        }
        assertUntouched(out, outOff, N * OC);
    }

    @ParameterizedTest(name = "N={0}")
    @MethodSource("shapes")
    void backwardInputAddsTheExactProductToWhatIsThere(int[] s) {
        int N = s[0], C = s[1], OC = s[2];
        Random r = new Random(17L * N + C + 3L * OC);
        int doutOff = 2, wOff = 9, dinpOff = 4;
        float[] dout = random(r, doutOff + N * OC);
        float[] w = random(r, wOff + OC * C);
        float[] dinp = random(r, dinpOff + N * C + 5);
        float[] before = dinp.clone();
        Arrays.fill(dinp, 0, dinpOff, SENTINEL);
        Arrays.fill(dinp, dinpOff + N * C, dinp.length, SENTINEL);

        Matmul.backwardInput(dinp, dinpOff, dout, doutOff, w, wOff, N, C, OC);

        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                int at = dinpOff + n * C + c;
                double exact = before[at], mag = Math.abs(before[at]);
                for (int oc = 0; oc < OC; oc++) {
                    double p = (double) dout[doutOff + n * OC + oc] * w[wOff + oc * C + c];
                    exact += p;
                    mag += Math.abs(p);
                }
                assertClose(exact, mag, OC + 1, dinp[at], "dinp[" + n + ", " + c + "]");
            }
        }
        assertUntouched(dinp, dinpOff, N * C);
    }

    @ParameterizedTest(name = "N={0}")
    @MethodSource("shapes")
    void backwardWeightAddsTheExactProductToWhatIsThere(int[] s) {
        int N = s[0], C = s[1], OC = s[2];
        Random r = new Random(13L * N + C + 5L * OC);
        int doutOff = 6, inOff = 1, dwOff = 8;
        float[] dout = random(r, doutOff + N * OC);
        float[] inp = random(r, inOff + N * C);
        float[] dw = random(r, dwOff + OC * C + 3);
        float[] before = dw.clone();
        Arrays.fill(dw, 0, dwOff, SENTINEL);
        Arrays.fill(dw, dwOff + OC * C, dw.length, SENTINEL);

        Matmul.backwardWeight(dw, dwOff, dout, doutOff, inp, inOff, N, C, OC);

        for (int oc = 0; oc < OC; oc++) {
            for (int c = 0; c < C; c++) {
                int at = dwOff + oc * C + c;
                double exact = before[at], mag = Math.abs(before[at]);
                for (int n = 0; n < N; n++) {
                    double p = (double) dout[doutOff + n * OC + oc] * inp[inOff + n * C + c];
                    exact += p;
                    mag += Math.abs(p);
                }
                assertClose(exact, mag, N + 1, dw[at], "dw[" + oc + ", " + c + "]");
            }
        }
        assertUntouched(dw, dwOff, OC * C);
    }

    @ParameterizedTest(name = "N={0}")
    @MethodSource("shapes")
    void scalarReferencesAgreeWithTheFastProducts(int[] s) {
        int N = s[0], C = s[1], OC = s[2];
        Random r = new Random(N + 101L * C + OC);
        float[] inp = random(r, N * C), w = random(r, OC * C), dout = random(r, N * OC);
        float[] fast = new float[N * OC], ref = new float[N * OC];
        Matmul.forward(fast, 0, inp, 0, w, 0, N, C, OC);
        Matmul.forwardScalar(ref, 0, inp, 0, w, 0, N, C, OC);
        assertAllClose(ref, fast, C, "forward");

        float[] dinpFast = random(new Random(1), N * C), dinpRef = dinpFast.clone();
        Matmul.backwardInput(dinpFast, 0, dout, 0, w, 0, N, C, OC);
        Matmul.backwardInputScalar(dinpRef, 0, dout, 0, w, 0, N, C, OC);
        assertAllClose(dinpRef, dinpFast, OC + 1, "backwardInput");

        float[] dwFast = random(new Random(2), OC * C), dwRef = dwFast.clone();
        Matmul.backwardWeight(dwFast, 0, dout, 0, inp, 0, N, C, OC);
        Matmul.backwardWeightScalar(dwRef, 0, dout, 0, inp, 0, N, C, OC);
        assertAllClose(dwRef, dwFast, N + 1, "backwardWeight");
    }

    /**
     * Each output is one fixed sequence of roundings whatever the batch, the tiling or the split across
     * threads: a row computed inside a large parallel product equals the same row computed alone, bit for
     * bit. Thread count only changes which task computes a row, so this also pins results across counts.
     */
    @ParameterizedTest(name = "row={0}")
    @MethodSource("rows")
    void aRowOfABigProductIsBitIdenticalToThatRowAlone(int row) {
        int N = 203, C = 531, OC = 77;
        Random r = new Random(5);
        float[] inp = random(r, N * C), w = random(r, OC * C), dout = random(r, N * OC);
        float[] all = new float[N * OC], one = new float[OC];
        Matmul.forward(all, 0, inp, 0, w, 0, N, C, OC);
        Matmul.forward(one, 0, inp, row * C, w, 0, 1, C, OC);
        assertArrayEquals(one, Arrays.copyOfRange(all, row * OC, (row + 1) * OC), "forward row " + row);

        float[] dinpAll = new float[N * C], dinpOne = new float[C];
        Matmul.backwardInput(dinpAll, 0, dout, 0, w, 0, N, C, OC);
        Matmul.backwardInput(dinpOne, 0, dout, row * OC, w, 0, 1, C, OC);
        assertArrayEquals(dinpOne, Arrays.copyOfRange(dinpAll, row * C, (row + 1) * C), "backwardInput row " + row);
    }

    /**
     * Fewer rows than the kernel's four-row tile (decoding) run a separate matrix-vector kernel; its rows
     * must be the bits the tiled kernel gives the same rows, for partial panels, several K blocks, and a
     * product large enough to be split across threads.
     */
    @ParameterizedTest(name = "N={0}")
    @ValueSource(ints = {1, 2, 3})
    void aFewRowsAreBitIdenticalToTheSameRowsOfABigProduct(int n) {
        for (int[] shape : new int[][] {{531, 77}, {256, 1000}, {600, 700}}) {
            int N = 9, C = shape[0], OC = shape[1];
            Random r = new Random(11L * n + C);
            float[] inp = random(r, N * C), w = random(r, OC * C);
            Matmul.PackedWeight pw = Matmul.pack(w, 0, C, OC);
            float[] all = new float[N * OC], few = new float[n * OC];
            Matmul.forward(all, 0, inp, 0, pw, N);
            Matmul.forward(few, 0, inp, 5 * C, pw, n);
            assertArrayEquals(Arrays.copyOfRange(all, 5 * OC, (5 + n) * OC), few, "(" + OC + ", " + C + ")");
        }
    }

    @ParameterizedTest(name = "N={0}")
    @MethodSource("shapes")
    void forwardOnAPackedWeightIsBitIdenticalToForward(int[] s) {
        int N = s[0], C = s[1], OC = s[2];
        Random r = new Random(7L * N + C);
        int wOff = 3, inOff = 2, outOff = 5;
        float[] inp = random(r, inOff + N * C), w = random(r, wOff + OC * C);
        float[] plain = new float[outOff + N * OC], packed = new float[outOff + N * OC];
        Arrays.fill(packed, SENTINEL);
        Matmul.forward(plain, outOff, inp, inOff, w, wOff, N, C, OC);

        Matmul.PackedWeight pw = Matmul.pack(w, wOff, C, OC);
        Matmul.forward(packed, outOff, inp, inOff, pw, N);

        assertArrayEquals(Arrays.copyOfRange(plain, outOff, plain.length), Arrays.copyOfRange(packed, outOff, packed.length));
        assertUntouched(packed, outOff, N * OC);
    }

    @Test
    void aPackedWeightIsACopyThatLaterWritesToTheWeightDoNotReach() {
        int N = 3, C = 40, OC = 20;
        Random r = new Random(3);
        float[] inp = random(r, N * C), w = random(r, OC * C);
        float[] before = new float[N * OC], after = new float[N * OC];
        Matmul.forward(before, 0, inp, 0, w, 0, N, C, OC);
        Matmul.PackedWeight pw = Matmul.pack(w, 0, C, OC);
        Arrays.fill(w, 1f);
        Matmul.forward(after, 0, inp, 0, pw, N);
        assertArrayEquals(before, after);
        assertEquals(C, pw.inputChannels());
        assertEquals(OC, pw.outputChannels());
    }

    static int[] rows() {
        return new int[] {0, 1, 3, 4, 119, 120, 121, 202};
    }

    @ParameterizedTest(name = "N={0}")
    @MethodSource("shapes")
    void repeatedCallsGiveIdenticalResults(int[] s) {
        int N = s[0], C = s[1], OC = s[2];
        Random r = new Random(99);
        float[] inp = random(r, N * C), w = random(r, OC * C);
        float[] first = new float[N * OC], again = new float[N * OC];
        Matmul.forward(first, 0, inp, 0, w, 0, N, C, OC);
        for (int i = 0; i < 3; i++) {
            Matmul.forward(again, 0, inp, 0, w, 0, N, C, OC);
            assertArrayEquals(first, again);
        }
    }

    @Test
    void emptyReductionZeroesOutInForwardAndLeavesGradientsAlone() {
        float[] out = {1f, 2f, 3f, 4f, 5f, 6f};
        Matmul.forward(out, 0, new float[0], 0, new float[0], 0, 2, 0, 3);
        assertArrayEquals(new float[6], out);
        float[] dw = {1f, 2f};
        Matmul.backwardWeight(dw, 0, new float[0], 0, new float[0], 0, 0, 1, 2);
        assertArrayEquals(new float[] {1f, 2f}, dw);
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /**
     * A float sum of k terms is within about k ulps of the exact sum, relative to the sum of magnitudes.
     * One product dropped, doubled or misplaced moves a result by about mag / k, far outside this bound.
     */
    private static void assertClose(double exact, double mag, int terms, float actual, String where) {
        double tol = 2.0 * terms * Math.ulp(1f) * mag + Float.MIN_NORMAL;
        assertTrue(Math.abs(actual - exact) <= tol,
                () -> where + ": " + actual + " vs exact " + exact + " (tolerance " + tol + ")");
    }

    private static void assertAllClose(float[] expected, float[] actual, int terms, String what) {
        assertEquals(expected.length, actual.length);
        double scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            // Both sides carry rounding error of order terms * ulp * sqrt(terms) for random signs.
            double tol = 4.0 * terms * Math.ulp(1f) * Math.max(1.0, scale);
            int at = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    () -> what + "[" + at + "]: " + actual[at] + " vs reference " + expected[at]);
        }
    }

    private static void assertUntouched(float[] a, int from, int length) {
        for (int i = 0; i < from; i++) assertEquals(SENTINEL, a[i], "before the output, index " + i);
        for (int i = from + length; i < a.length; i++) assertEquals(SENTINEL, a[i], "after the output, index " + i);
    }
}
