package dev.consilium.runtime.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class JudgeCommandTest {

    static final Path SHIPPED = Path.of("..", "datasets", "judge", "arithmetic.jsonl");

    @Test
    void theShippedGoldSetIsWhatTheGeneratorWrites(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.jsonl"), b = dir.resolve("b.jsonl");
        assertEquals(0, MainTest.run("datasets", "judge", "--out", a.toString()).exit());
        assertEquals(0, MainTest.run("datasets", "judge", "--out", b.toString()).exit());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertArrayEquals(Files.readAllBytes(SHIPPED), Files.readAllBytes(a), "regenerate with: ./consilium datasets judge");
        assertEquals(300, Files.readAllLines(a).size());
    }

    @Test
    void aPerfectJudgeCalibratesPerfectly() {
        MainTest.Run r = MainTest.run("judge", "calibrate", "--judge", "test-oracle/perfect", "--gold", SHIPPED.toString(),
                "--limit", "40", "--probe-tasks", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("accuracy                  1.000"), r.out());
        assertTrue(r.out().contains("cohen's kappa             1.000"), r.out());
        assertTrue(r.out().contains("order consistency         1.000"), r.out());
        assertTrue(r.out().contains("probe false-positive rate 0.000"), r.out());
        assertTrue(r.out().contains("pairwise accuracy         1.000"), r.out());
    }

    @Test
    void aSycophanticJudgeIsExposed() {
        MainTest.Run r = MainTest.run("judge", "calibrate", "--judge", "test-oracle/yes", "--gold", SHIPPED.toString(),
                "--limit", "40", "--probe-tasks", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("accuracy                  0.500"), r.out());
        assertTrue(r.out().contains("order consistency         0.000"), r.out());
        assertTrue(r.out().contains("probe false-positive rate 0.857"), r.out()); // 6 of 7 probes; the empty one abstains
        assertTrue(r.out().contains("abstain rate              0.030"), r.out());
    }

    @Test
    void anUnknownScaleIsNamed() {
        MainTest.Run r = MainTest.run("judge", "calibrate", "--judge", "test-oracle/yes", "--gold", SHIPPED.toString(), "--scale", "1-7");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--scale must be binary, 1-5 or 1-10"), r.err());
    }
}
