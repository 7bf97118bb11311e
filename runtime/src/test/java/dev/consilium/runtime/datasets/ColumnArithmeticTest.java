package dev.consilium.runtime.datasets;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ColumnArithmeticTest {
    @Test
    void workingShowsOneColumnPerStep() {
        assertEquals("7+6=13 3+8+1=12 5+0+1=6", ColumnArithmetic.working(537, 86, true));
        assertEquals("7-6=1 13-8=5 4-0=4", ColumnArithmetic.working(537, 86, false));
        assertEquals("10-1=9 9-0=9 0-0=0", ColumnArithmetic.working(100, 1, false));
        assertEquals("9+1=10 9+0+1=10", ColumnArithmetic.working(99, 1, true));
    }

    /** Reading the result back from the working (last digit of each column, then the final carry) gives the answer. */
    @Test
    void theWorkingDeterminesTheAnswerForEveryProblem() {
        Random rng = new Random(1);
        for (int n = 0; n < 20_000; n++) {
            int a = rng.nextInt(1000), b = rng.nextInt(1000);
            boolean add = rng.nextBoolean();
            if (!add && b > a) { int t = a; a = b; b = t; }
            String[] steps = ColumnArithmetic.working(a, b, add).split(" ");
            long result = 0, place = 1;
            int last = 0;
            for (String s : steps) {
                last = Integer.parseInt(s.substring(s.indexOf('=') + 1));
                result += place * (last % 10);
                place *= 10;
            }
            if (add) result += place * (last / 10);
            assertEquals(add ? a + b : a - b, result, a + (add ? "+" : "-") + b + ": " + String.join(" ", steps));
        }
    }
}
