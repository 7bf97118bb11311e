package dev.consilium.moe.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LrScheduleTest {
    private final LrSchedule s = new LrSchedule(1e-3f, 10, 110, 0.1f);

    @Test
    void warmupRisesLinearlyFromTheFirstStep() {
        assertEquals(1e-4f, s.at(0), 1e-10f);
        assertEquals(5e-4f, s.at(4), 1e-10f);
        assertEquals(1e-3f, s.at(9), 1e-10f);
    }

    @Test
    void cosineDecaysFromMaxThroughTheMidpointToTheFloor() {
        assertEquals(1e-3f, s.at(10), 1e-10f);                      // cos(0) = 1
        assertEquals(1e-4f + 0.5f * (1 + (float) Math.cos(Math.PI / 4)) * 9e-4f, s.at(35), 1e-9f); // a quarter in
        assertEquals(5.5e-4f, s.at(60), 1e-10f);                    // half way: (max + min) / 2
        assertEquals(1e-4f, s.at(110), 1e-10f);
        assertEquals(1e-4f, s.at(10_000), 1e-10f);
    }

    @Test
    void constantIsFlat() {
        var c = LrSchedule.constant(0.02f);
        assertEquals(0.02f, c.at(0));
        assertEquals(0.02f, c.at(1_000_000));
    }

    @Test
    void inconsistentSchedulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3f, 10, 5, 0.1f));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3f, 0, 5, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(Float.NaN, 0, 5, 0.1f));
    }
}
