package dev.consilium.moe.optim;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientsTest {

    @Test
    void clippingScalesDownToTheMaxNormAndReturnsTheNormBefore() {
        float[] g = {3f, 4f};
        double norm = Gradients.clipGlobalNorm(g, 1f);
        assertEquals(5.0, norm);
        float coef = (float) (1.0 / (5.0 + 1e-6));
        assertArrayEquals(new float[]{3f * coef, 4f * coef}, g);
        assertEquals(1.0, Gradients.globalNorm(g), 1e-6);
    }

    @Test
    void gradientsWithinTheMaxNormAreUntouched() {
        float[] g = {0.3f, -0.4f};
        assertEquals(0.5, Gradients.clipGlobalNorm(g, 1f), 1e-7);
        assertArrayEquals(new float[]{0.3f, -0.4f}, g);
    }

    @Test
    void aNonFiniteNormLeavesGradientsForTheCallerToSkip() {
        float[] g = {1f, Float.POSITIVE_INFINITY, 2f};
        assertTrue(Double.isInfinite(Gradients.clipGlobalNorm(g, 1f)));
        assertArrayEquals(new float[]{1f, Float.POSITIVE_INFINITY, 2f}, g);
    }

    @Test
    void globalNormOfALargeBufferMatchesADoubleSum() {
        int n = 300_001; // several blocks, each with a ragged tail
        float[] g = new float[n];
        var rnd = new SplittableRandom(4);
        double ss = 0;
        for (int i = 0; i < n; i++) {
            g[i] = (float) rnd.nextGaussian();
            ss += (double) g[i] * g[i];
        }
        assertEquals(Math.sqrt(ss), Gradients.globalNorm(g), 1e-6 * Math.sqrt(ss));
    }

    @Test
    void averagingDividesTheAccumulatedSumByTheMicroSteps() {
        float[] g = {4f, -8f, 2f};
        Gradients.average(g, 4);
        assertArrayEquals(new float[]{1f, -2f, 0.5f}, g);
        Gradients.scale(g, 3f);
        assertArrayEquals(new float[]{3f, -6f, 1.5f}, g);
        Gradients.zero(g);
        assertArrayEquals(new float[3], g);
    }
}
