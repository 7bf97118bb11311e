package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.runtime.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every mistake in an experiment file stops {@code consilium run} before anything is written: one line on
 * stderr naming the key (or the file and line), a non-zero exit, and no run directory.
 */
class ExperimentValidationTest {
    @TempDir
    static Path shared;
    static LoopFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = LoopFixture.create(shared);
    }

    record Outcome(int exit, String err, Path out) {}

    /** Writes the fixture's experiment, changed by {@code edit}, into {@code dir} and runs it. */
    static Outcome run(Path dir, Consumer<ObjectNode> edit) throws IOException {
        Path out = dir.resolve("run");
        ObjectNode e = fixture.experiment(out);
        edit.accept(e);
        Path file = dir.resolve("experiment.json");
        Files.writeString(file, e.toPrettyString());
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("run", file.toString());
        return new Outcome(exit, err.toString(), out);
    }

    static void assertRejected(Outcome o, String... fragments) {
        assertNotEquals(0, o.exit(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().startsWith("consilium run: "), o.err());
        for (String f : fragments) assertTrue(o.err().contains(f), "expected \"" + f + "\" in: " + o.err());
        assertFalse(Files.exists(o.out()), "a failed start left " + o.out());
    }

    @Test
    void aMisspeltKeyIsNamed(@TempDir Path dir) throws IOException {
        assertRejected(run(dir, e -> e.put("round", 3)), "unknown field \"round\"");
    }

    @Test
    void aMissingTaskFileIsNamedWithItsKey(@TempDir Path dir) throws IOException {
        assertRejected(run(dir, e -> e.with("tasks").put("train", "nowhere/train.jsonl")), "\"tasks.train\"",
                dir.resolve("nowhere/train.jsonl").toString());
    }

    @Test
    void pathsAreRelativeToTheExperimentFile(@TempDir Path dir) throws IOException {
        Files.copy(fixture.train(), dir.resolve("train.jsonl"));
        // Read from the file's directory, not the working directory: the task reader then finds a bad line there.
        Files.writeString(dir.resolve("heldout.jsonl"), "{\"id\": \"h1\", \"question\": \"What is 2 + 3?\"}\n");
        assertRejected(run(dir, e -> e.with("tasks").put("train", "train.jsonl").put("heldout", "heldout.jsonl")),
                dir.resolve("heldout.jsonl") + ":1: missing \"answer\"");
    }

    @Test
    void aTaskLineWithoutItsAnswerIsNamedByFileAndLine(@TempDir Path dir) throws IOException {
        Path train = dir.resolve("train.jsonl");
        Files.writeString(train, "{\"id\": \"a\", \"question\": \"What is 2 + 3?\", \"answer\": \"5\"}\n\n"
                + "{\"id\": \"b\", \"question\": \"What is 3 + 4?\"}\n");
        assertRejected(run(dir, e -> e.with("tasks").put("train", train.toString())), train + ":3: missing \"answer\"");
    }

    @Test
    void anUnknownWorkflowTypeIsNamedWithTheKnownOnes(@TempDir Path dir) throws IOException {
        assertRejected(run(dir, e -> e.with("workflow").put("type", "solver-revisor")), "\"workflow.type\": unknown \"solver-revisor\"",
                "solver-reviser");
    }

    @Test
    void anUnknownRewardTypeIsNamedWithTheKnownOnes(@TempDir Path dir) throws IOException {
        assertRejected(run(dir, e -> e.putArray("rewards").addObject().put("type", "bleu")), "\"rewards[0].type\": unknown \"bleu\"",
                "exact_match");
    }

    @Test
    void anUnknownJudgePromptIsNamed(@TempDir Path dir) throws IOException {
        assertRejected(run(dir, e -> e.putArray("judges").addObject().put("model", "builtin/" + fixture.policy()).put("prompt", "arithmetic-jugde")),
                "\"judges[0].prompt\": unknown \"arithmetic-jugde\"");
    }

    @Test
    void aWarmupLongerThanTheRunIsNamed(@TempDir Path dir) throws IOException {
        assertRejected(run(dir, e -> e.with("algorithm").put("warmup", 5)), "\"algorithm.warmup\" (5)", "rounds x minibatches = 2");
    }

    @Test
    void aJudgePromptOverTheJudgesContextIsNamed(@TempDir Path dir) throws IOException {
        Path judge = dir.resolve("short-judge");
        Files.createDirectories(judge);
        for (String f : new String[] {"model.safetensors", "tokenizer.json"}) Files.copy(fixture.policy().resolve(f), judge.resolve(f));
        Files.writeString(judge.resolve("config.json"), LoopFixture.config(48).toJson());
        assertRejected(run(dir, e -> e.putArray("judges").addObject().put("model", judge.toString()).put("prompt", "pointwise")),
                "\"judges[0].prompt\"", "context of 48 tokens");
    }

    @Test
    void aRunDirectoryHoldingAFailedStartCanBeStartedAgain(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        Files.createDirectories(out);
        Files.writeString(out.resolve("experiment.json"), "{}");   // what a start that died before round 0 leaves
        ExperimentRun.Result r = ExperimentRun.start(LoopFixture.parse(fixture.experiment(out).put("rounds", 1)), LoopFixture.quiet()).run();
        assertEquals(2, r.rounds().size());
        // A directory with finished rounds is another matter: it is resumed, never overwritten.
        assertThrows(RuntimeException.class, () -> ExperimentRun.start(LoopFixture.parse(fixture.experiment(out)), LoopFixture.quiet()).run());
    }
}
