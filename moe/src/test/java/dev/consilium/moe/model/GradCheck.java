package dev.consilium.moe.model;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central finite differences against analytic gradients. The checked function is a scalar computed in double
 * from float outputs; the comparison is per gradient array: the relative L2 error must be below
 * {@code relTol}, so a wrong factor or a missing term (errors of order the gradient itself) fails while float
 * rounding noise (orders of magnitude smaller) passes.
 */
final class GradCheck {
    private GradCheck() {}

    static float[] randn(SplittableRandom r, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * std);
        return a;
    }

    /** d f / d x[i] for each i in idx, by central differences with step h. */
    static double[] numeric(float[] x, int[] idx, float h, DoubleSupplier f) {
        double[] g = new double[idx.length];
        for (int j = 0; j < idx.length; j++) {
            int i = idx[j];
            float old = x[i];
            float up = old + h, down = old - h;
            x[i] = up;
            double fp = f.getAsDouble();
            x[i] = down;
            double fm = f.getAsDouble();
            x[i] = old;
            g[j] = (fp - fm) / ((double) up - down);
        }
        return g;
    }

    static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return idx;
    }

    /** count distinct indices in [from, from + n), or all of them when n <= count. */
    static int[] sample(SplittableRandom r, int from, int n, int count) {
        if (n <= count) {
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = from + i;
            return idx;
        }
        return r.ints(0, n).distinct().limit(count).map(i -> from + i).sorted().toArray();
    }

    static float[] pick(float[] a, int[] idx) {
        float[] out = new float[idx.length];
        for (int j = 0; j < idx.length; j++) out[j] = a[idx[j]];
        return out;
    }

    /** Asserts ||analytic - numeric|| <= relTol * ||numeric|| and that the gradient is not trivially zero. */
    static void assertGradient(String what, float[] analytic, double[] numeric, double relTol) {
        double diff = 0, norm = 0;
        for (int i = 0; i < numeric.length; i++) {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            norm += numeric[i] * numeric[i];
        }
        diff = Math.sqrt(diff);
        norm = Math.sqrt(norm);
        assertTrue(norm > 1e-6, what + ": numeric gradient is zero, the check would prove nothing");
        assertTrue(diff <= relTol * norm, String.format("%s: |analytic - numeric| = %.3g, |numeric| = %.3g (rel %.3g)",
                what, diff, norm, diff / norm));
    }

    /** sum_i r[i] * y[yOff + i] in double. */
    static double dot(float[] r, float[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < r.length; i++) s += (double) r[i] * y[yOff + i];
        return s;
    }
}
