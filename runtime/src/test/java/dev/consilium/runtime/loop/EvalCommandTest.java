package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.runtime.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.consilium.runtime.loop.LoopFixture.JSON;
import static org.junit.jupiter.api.Assertions.*;

/** {@code consilium eval} measures a checkpoint as the run that made it measured it, round by round. */
class EvalCommandTest {
    @TempDir
    static Path dir;
    static LoopFixture fixture;
    static Path file, run;
    static List<JsonNode> metrics;

    @BeforeAll
    static void runOnce() throws Exception {
        fixture = LoopFixture.create(dir);
        run = dir.resolve("run");
        // Sampled held-out answers too: the run's greedy answers are then decoded in batches with sampled ones,
        // eval's alone, and the figures must agree all the same.
        ObjectNode e = fixture.experiment(run).put("eval_samples", 2);
        file = dir.resolve("experiment.json");
        Files.writeString(file, e.toPrettyString());
        ExperimentFile.start(file, PluginRegistry.load(EvalCommandTest.class.getClassLoader()), LoopFixture.quiet()).run();
        metrics = LoopFixture.lines(run.resolve("metrics.jsonl"));
    }

    /** Exit status, standard output, standard error. */
    private record Ran(int exit, String out, String err) {}

    private static Ran eval(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "eval";
            System.arraycopy(args, 0, all, 1, args.length);
            int exit = cli.execute(all);
            return new Ran(exit, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void aRoundsCheckpointGivesTheGreedyFiguresThatRoundRecorded() throws Exception {
        for (int round : List.of(0, 2)) {
            Path policy = round == 0 ? fixture.policy() : run.resolve("rounds").resolve(RunDirectory.roundId(round));
            Ran r = eval("--experiment", file.toString(), "--policy", policy.toString(), "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode o = JSON.readTree(r.out());
            JsonNode m = metrics.get(round);
            assertEquals(m.get("heldout_total").asInt(), o.get("tasks").asInt(), "heldout_limit applies: " + o);
            assertEquals(m.get("heldout_correct").asInt(), o.get("correct").asInt(), "round " + round + ": " + o + " vs " + m);
            assertEquals(m.get("heldout_accuracy").asDouble(), o.get("accuracy").asDouble(), 1e-12);
            assertEquals(m.get("heldout_first_turn_correct").asInt(), o.get("first_turn_correct").asInt(), o + " vs " + m);
            assertEquals(m.get("heldout_first_turn_accuracy").asDouble(), o.get("first_turn_accuracy").asDouble(), 1e-12);
        }
    }

    @Test
    void plainOutputIsCorrectOverTotal() {
        Ran r = eval("--experiment", file.toString(), "--policy", fixture.policy().toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode m = metrics.getFirst();
        assertTrue(r.out().contains("accuracy, greedy (6 tasks): " + ExperimentRun.accuracy(m)), r.out());
        assertTrue(r.out().contains("accuracy of the first turn alone: " + ExperimentRun.firstTurnAccuracy(m)), r.out());
    }

    @Test
    void aTaskFileOfItsOwnIsReadWholeByTheExperimentsReader() throws Exception {
        Ran r = eval("--experiment", file.toString(), "--policy", fixture.policy().toString(), "--tasks", fixture.heldout().toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        long lines = Files.readAllLines(fixture.heldout()).stream().filter(l -> !l.isBlank()).count();
        assertTrue(lines > 6, "more tasks than the experiment's heldout_limit: " + lines);
        assertEquals(lines, JSON.readTree(r.out()).get("tasks").asLong());
    }

    @Test
    void aMissingPolicyIsOneLineNamingItAndFails() {
        Path missing = dir.resolve("no-such-checkpoint");
        Ran r = eval("--experiment", file.toString(), "--policy", missing.toString());
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--policy: no checkpoint directory " + missing), r.err());
    }

    @Test
    void anUnknownTaskFileIsOneLineNamingItAndFails() {
        Path missing = dir.resolve("no-such-tasks.jsonl");
        Ran r = eval("--experiment", file.toString(), "--policy", fixture.policy().toString(), "--tasks", missing.toString());
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--tasks: no file " + missing), r.err());
    }

    @Test
    void anUnknownExperimentFileIsOneLineNamingItAndFails() {
        Path missing = dir.resolve("no-such-experiment.json");
        Ran r = eval("--experiment", missing.toString(), "--policy", fixture.policy().toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--experiment: no file " + missing), r.err());
    }
}
