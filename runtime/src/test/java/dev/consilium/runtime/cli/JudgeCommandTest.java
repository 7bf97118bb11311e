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
        String heldout = Path.of("..", "datasets", "arithmetic", "heldout.jsonl").toString();
        assertEquals(0, MainTest.run("datasets", "judge", "--heldout", heldout, "--out", a.toString()).exit());
        assertEquals(0, MainTest.run("datasets", "judge", "--heldout", heldout, "--out", b.toString()).exit());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertArrayEquals(Files.readAllBytes(SHIPPED), Files.readAllBytes(a), "regenerate with: ./consilium datasets judge");
        assertEquals(480, Files.readAllLines(a).size());
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
        assertTrue(r.out().contains("accuracy                  0.350"), r.out()); // 14 of the first 40 items are right answers
        assertTrue(r.out().contains("order consistency         0.000"), r.out());
        assertTrue(r.out().contains("probe false-positive rate 0.857"), r.out()); // 6 of 7 probes; the empty one abstains
        assertTrue(r.out().contains("abstain rate              0.030"), r.out());
    }

    @Test
    void calibrateRunsAnExperimentsJudgesAsItsLoopBuildsThemAndReportsEachKind(@TempDir Path dir) throws Exception {
        Path perfect = experiment(dir, "perfect"), yes = experiment(dir, "yes");
        MainTest.Run r = MainTest.run("judge", "calibrate", "--experiment", perfect.toString(), "--gold", SHIPPED.toString(), "--limit", "30");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("judge test-oracle/perfect"), r.out());
        assertTrue(r.out().matches("(?s).*\\nall\\s+30\\s+1\\.000\\s+1\\.000\\s+0\\.000\\s+0\\.000\\s+0\\.000.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\ndigit-off\\s+3\\s+1\\.000.*"), r.out());

        r = MainTest.run("judge", "calibrate", "--experiment", yes.toString(), "--gold", SHIPPED.toString(), "--limit", "30", "--json");
        assertEquals(0, r.exit(), r.err());
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get(0);
        assertEquals(11.0 / 30, report.get("overall").get("accuracy").asDouble(), 1e-9, r.out()); // 11 of the first 30 are right
        assertEquals(1.0, report.get("per_kind").get("off-by-ten").get("false_positive_rate").asDouble(), r.out());
        assertEquals(0.0, report.get("per_kind").get("reviser-fixes").get("false_negative_rate").asDouble(), r.out());
    }

    @Test
    void calibrateWantsOneJudgeSource() {
        MainTest.Run r = MainTest.run("judge", "calibrate", "--gold", SHIPPED.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("give exactly one of --judge and --experiment"), r.err());
    }

    /** The demo's experiment with its judge swapped for an oracle over the generic pointwise prompt. */
    private static Path experiment(Path dir, String oracle) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var e = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(Path.of("..", "experiments", "demo.json").toFile());
        // the copy lives elsewhere: its paths, relative to experiments/, become absolute
        Path experiments = Path.of("..", "experiments").toAbsolutePath();
        e.put("policy", experiments.resolve(e.get("policy").asText()).normalize().toString());
        var tasks = (com.fasterxml.jackson.databind.node.ObjectNode) e.get("tasks");
        for (String split : new String[] {"train", "heldout"}) {
            tasks.put(split, experiments.resolve(tasks.get(split).asText()).normalize().toString());
        }
        e.remove("probes");   // a run's probes; calibrate measures the judges on its own gold set
        e.putArray("judges").addObject().put("model", "test-oracle/" + oracle).put("prompt", "pointwise");
        Path file = dir.resolve(oracle + ".json");
        Files.writeString(file, e.toString());
        return file;
    }

    @Test
    void anUnknownScaleIsNamed() {
        MainTest.Run r = MainTest.run("judge", "calibrate", "--judge", "test-oracle/yes", "--gold", SHIPPED.toString(), "--scale", "1-7");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--scale must be binary, 1-5 or 1-10"), r.err());
    }
}
