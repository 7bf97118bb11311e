package dev.consilium.moe.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VecMathTest {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    static float[] exp(float... x) {
        float[] padded = java.util.Arrays.copyOf(x, (x.length + S.length() - 1) / S.length() * S.length());
        float[] out = new float[padded.length];
        for (int i = 0; i < padded.length; i += S.length()) {
            VecMath.exp(FloatVector.fromArray(S, padded, i)).intoArray(out, i);
        }
        return out;
    }

    @Test
    void expIsAccurateToAFewUlpOverTheFloatRange() {
        int n = 200_000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -87f + 175f * i / (n - 1);
        float[] y = exp(x);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double ref = Math.exp(x[i]);
            worst = Math.max(worst, Math.abs(y[i] - ref) / Math.ulp((float) ref));
        }
        assertTrue(worst <= 4, "worst error " + worst + " ulp");
    }

    @Test
    void expHandlesTheEdges() {
        float[] y = exp(0f, Float.NEGATIVE_INFINITY, -100f, 1f, Float.NaN, 1000f, -87.3f);
        assertEquals(1f, y[0]);
        assertEquals(0f, y[1], "-inf is a masked score: probability exactly 0");
        assertEquals(0f, y[2]);
        assertEquals(Math.E, y[3], 1e-6);
        assertTrue(Float.isNaN(y[4]));
        assertEquals((float) Math.exp(88), y[5], 1e32, "saturates instead of overflowing");
        assertTrue(y[6] > 0f);
    }
}
