package dev.consilium.rewards.calibration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class StatsTest {

    @Test
    void kappaIsOneForAgreementZeroForChanceAndNegativeBelowIt() {
        assertEquals(1, Stats.cohensKappa(new int[] {0, 1, 0, 1}, new int[] {0, 1, 0, 1}), 1e-12);
        assertEquals(0, Stats.cohensKappa(new int[] {1, 1, 1, 1}, new int[] {0, 1, 0, 1}), 1e-12);
        assertEquals(-1, Stats.cohensKappa(new int[] {0, 1, 0, 1}, new int[] {1, 0, 1, 0}), 1e-12);
        // A textbook case: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no gives p_o = 0.7, p_e = 0.5, kappa = 0.4.
        int[] a = new int[50], b = new int[50];
        for (int i = 0; i < 50; i++) {
            a[i] = i < 25 ? 1 : 0;
            b[i] = i < 20 || (i >= 25 && i < 35) ? 1 : 0;
        }
        assertEquals(0.4, Stats.cohensKappa(a, b), 1e-12);
    }

    @Test
    void spearmanUsesMeanRanksForTies() {
        assertEquals(1, Stats.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 400}), 1e-12);
        assertEquals(-1, Stats.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        assertArrayEquals(new double[] {1.5, 1.5, 3}, Stats.ranks(new double[] {5, 5, 7}));
        assertTrue(Double.isNaN(Stats.spearman(new double[] {1, 1}, new double[] {1, 2})));
    }

    @Test
    void slopeIsLeastSquares() {
        assertEquals(2, Stats.slope(new double[] {0, 1, 2}, new double[] {1, 3, 5}), 1e-12);
        assertTrue(Double.isNaN(Stats.slope(new double[] {1, 1}, new double[] {0, 1})));
    }
}
