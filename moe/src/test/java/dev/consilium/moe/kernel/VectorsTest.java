package dev.consilium.moe.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each helper against a double-precision loop, at lengths below, at and across the vector width. */
class VectorsTest {
    private static final int OFF = 3;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 16, 17, 33, 1000})
    void dotIsTheSumOfProducts(int n) {
        Random r = new Random(n);
        float[] a = random(r, OFF + n), b = random(r, 2 * OFF + n);
        double exact = 0, mag = 0;
        for (int i = 0; i < n; i++) {
            exact += (double) a[OFF + i] * b[2 * OFF + i];
            mag += Math.abs((double) a[OFF + i] * b[2 * OFF + i]);
        }
        float got = Vectors.dot(a, OFF, b, 2 * OFF, n);
        double sum = exact;
        assertTrue(Math.abs(got - sum) <= 2.0 * (n + 1) * Math.ulp(1f) * mag, () -> got + " vs " + sum);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 33, 1000})
    void axpyAddsAScaledRowAndTouchesNothingElse(int n) {
        Random r = new Random(n + 1);
        float[] x = random(r, OFF + n), y = random(r, OFF + n + 2), before = y.clone();
        Vectors.axpy(y, OFF, -0.75f, x, OFF, n);
        for (int i = 0; i < y.length; i++) {
            boolean inside = i >= OFF && i < OFF + n;
            float expected = inside ? (float) (before[i] + (double) -0.75f * x[i]) : before[i];
            assertEquals(expected, y[i], Math.ulp(expected) * 2, "y[" + i + "]");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 9, 33})
    void scaleMultipliesInPlace(int n) {
        float[] x = random(new Random(n), OFF + n), before = x.clone();
        Vectors.scale(x, OFF, n, 0.5f);
        for (int i = 0; i < x.length; i++) assertEquals(i >= OFF ? before[i] * 0.5f : before[i], x[i], "x[" + i + "]");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 33, 1000})
    void softmaxMatchesTheDefinitionAndSumsToOne(int n) {
        Random r = new Random(n + 2);
        float[] x = new float[OFF + n];
        for (int i = 0; i < n; i++) x[OFF + i] = (float) (r.nextGaussian() * 8);
        float[] before = x.clone();
        Vectors.softmax(x, OFF, n);
        double max = Double.NEGATIVE_INFINITY, z = 0, sum = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, before[OFF + i]);
        for (int i = 0; i < n; i++) z += Math.exp(before[OFF + i] - max);
        for (int i = 0; i < n; i++) {
            double p = Math.exp(before[OFF + i] - max) / z;
            assertEquals(p, x[OFF + i], 1e-6 * p + 1e-12, "p[" + i + "]");
            sum += x[OFF + i];
        }
        assertEquals(1.0, sum, 1e-5);
    }

    @Test
    void softmaxGivesMaskedEntriesZeroAndSurvivesHugeLogits() {
        float[] x = {1000f, Float.NEGATIVE_INFINITY, 999f, Float.NEGATIVE_INFINITY, 1000f, 0f, 0f, 0f, 0f, -1000f};
        Vectors.softmax(x, 0, x.length);
        double e = Math.exp(-1);
        assertEquals(1 / (2 + e), x[0], 1e-6);
        assertEquals(0f, x[1]);
        assertEquals(e / (2 + e), x[2], 1e-6);
        assertEquals(0f, x[3]);
        assertEquals(0f, x[5], "exp(-1000) underflows");
        assertEquals(0f, x[9]);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 9, 33})
    void maxFindsTheLargest(int n) {
        float[] x = random(new Random(n + 5), OFF + n);
        x[OFF + n - 1] = 50f;
        assertEquals(50f, Vectors.max(x, OFF, n));
        x[OFF + n - 1] = -50f;
        float expected = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) expected = Math.max(expected, x[OFF + i]);
        assertEquals(expected, Vectors.max(x, OFF, n));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 33, 1000})
    void siluIsXTimesSigmoidX(int n) {
        Random r = new Random(n + 3);
        float[] x = new float[OFF + n];
        for (int i = 0; i < n; i++) x[OFF + i] = (float) (r.nextGaussian() * 6);
        float[] out = new float[n];
        Vectors.silu(out, 0, x, OFF, n);
        for (int i = 0; i < n; i++) {
            double v = x[OFF + i], expected = v / (1 + Math.exp(-v));
            assertEquals(expected, out[i], 2e-7 * Math.abs(expected) + 1e-30, "silu(" + v + ")");
        }
    }

    @Test
    void siluSaturatesWithoutNaN() {
        float[] x = {-200f, -90f, 90f, 200f, 0f, -0f, 1f, -1f, 3f};
        Vectors.silu(x, 0, x, 0, x.length);
        assertEquals(0f, x[0], 0f);
        assertEquals(90f, x[2]);
        assertEquals(200f, x[3]);
        assertEquals(0f, x[4]);
        for (float v : x) assertTrue(!Float.isNaN(v));
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
