package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.Agent;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.runtime.cli.Main;
import dev.consilium.runtime.seam.ExecutorOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import com.sun.net.httpserver.HttpServer;
import dev.consilium.rewards.calibration.GoldSet;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.consilium.runtime.loop.LoopFixture.lines;
import static dev.consilium.runtime.loop.LoopFixture.withoutTiming;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Rollouts and held-out answers as units that leave the driver: a run whose units go through serialisation
 * ({@link SerialisingExecutor}: each stage's checkpoint as bytes, the workflow by name, trajectories as JSON)
 * journals what the in-process run does, record by record; the executor is found by its name in the experiment
 * file; a workflow of lambdas is refused before anything runs, naming why.
 */
class RemoteExecutorRunTest {
    private static final List<String> JOURNALS = List.of("trajectories", "verdicts", "rewards", "preferences", "metrics");

    @TempDir
    static Path dir;
    static LoopFixture fixture;
    static Path inProcess;

    @BeforeAll
    static void runInProcess() {
        fixture = LoopFixture.create(dir);
        inProcess = dir.resolve("in-process");
        ExperimentRun.start(LoopFixture.parse(fixture.experiment(inProcess)), LoopFixture.quiet()).run();
    }

    @Test
    void aRunWhoseUnitsAreSerialisedJournalsWhatTheInProcessRunDoes() {
        Path run = dir.resolve("serialised");
        ObjectNode e = fixture.experiment(run);
        e.putObject("executor").put("type", "serialising");
        int opened = SerialisingExecutor.OPENED.get();
        ExperimentRun.start(LoopFixture.parse(e), LoopFixture.quiet()).run();
        assertEquals(opened + 1, SerialisingExecutor.OPENED.get(), "the experiment's executor was opened by name, once");
        for (String journal : JOURNALS) {
            List<JsonNode> expected = comparable(lines(inProcess.resolve(journal + ".jsonl")));
            List<JsonNode> actual = comparable(lines(run.resolve(journal + ".jsonl")));
            assertEquals(expected.size(), actual.size(), journal);
            for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), actual.get(i), journal + " record " + i);
        }
    }

    @Test
    void aBuiltInJudgeTravelsAsItsRecipeAndJudgesAsInProcess() {
        // An untrained judge: its verdicts abstain, each with the raw text it wrote, which is what is compared.
        Path judge = dir.resolve("judge");
        ModelCheckpoint.save(judge, new DeepSeekV3Model(LoopFixture.config(1024), 9), ModelCheckpoint.load(fixture.policy()).tokenizer(), null);
        Path local = dir.resolve("judged-in-process"), sent = dir.resolve("judged-serialised");
        ExperimentRun.start(LoopFixture.parse(judged(local, judge)), LoopFixture.quiet()).run();
        int panels = SerialisingExecutor.JUDGE_PANELS.get();
        ObjectNode e = judged(sent, judge);
        e.putObject("executor").put("type", "serialising");
        ExperimentRun.start(LoopFixture.parse(e), LoopFixture.quiet()).run();
        assertEquals(panels + 1, SerialisingExecutor.JUDGE_PANELS.get(), "the round's judging went through the executor, once");
        List<JsonNode> verdicts = lines(sent.resolve("verdicts.jsonl"));
        assertFalse(verdicts.isEmpty());
        assertFalse(verdicts.getFirst().get("judges").get(0).get("raw").asText().isEmpty(), "the judge rebuilt from its recipe wrote");
        for (String journal : JOURNALS) {
            assertEquals(comparable(lines(local.resolve(journal + ".jsonl"))), comparable(lines(sent.resolve(journal + ".jsonl"))), journal);
        }
    }

    @Test
    void aGroupJudgeTravelsAsItsRecipeAndJudgesGroupsAndProbesAsInProcess() throws IOException {
        // An API group judge on loopback that works each candidate out: scored verdicts, probes judged in groups.
        // the second candidate of each call left unscored: its verdict abstains alone, which must travel too
        HttpServer server = GroupJudgeRunTest.oracleServer(2, new java.util.concurrent.CopyOnWriteArrayList<>());
        try {
            Path providers = Files.writeString(dir.resolve("group-providers.json"), """
                    {"deployments": [{"model": "openai-compatible/judge", "baseUrl": "http://127.0.0.1:%d/v1"}]}
                    """.formatted(server.getAddress().getPort()));
            Path gold = dir.resolve("group-gold.jsonl");
            GoldSet.write(gold, GroupJudgeRunTest.gold());
            Path local = dir.resolve("grouped-in-process"), sent = dir.resolve("grouped-serialised");
            ExperimentRun.start(LoopFixture.parse(grouped(local, providers, gold)), LoopFixture.quiet()).run();
            int panels = SerialisingExecutor.JUDGE_PANELS.get();
            ObjectNode e = grouped(sent, providers, gold);
            e.putObject("executor").put("type", "serialising");
            ExperimentRun.start(LoopFixture.parse(e), LoopFixture.quiet()).run();
            assertEquals(panels + 1, SerialisingExecutor.JUDGE_PANELS.get(), "the round's group calls went through the executor, once");
            List<JsonNode> verdicts = lines(sent.resolve("verdicts.jsonl"));
            assertEquals(6, verdicts.size());
            assertEquals("score", verdicts.getFirst().get("judges").get(0).get("type").asText(), verdicts.getFirst().toString());
            assertEquals("abstain", verdicts.get(1).get("judges").get(0).get("type").asText(), verdicts.get(1).toString());
            assertFalse(lines(sent.resolve("probes.jsonl")).isEmpty(), "probes were judged");
            for (String journal : List.of("trajectories", "verdicts", "rewards", "preferences", "metrics", "probes")) {
                assertEquals(comparable(lines(local.resolve(journal + ".jsonl"))), comparable(lines(sent.resolve(journal + ".jsonl"))), journal);
            }
        } finally {
            server.stop(0);
        }
    }

    /** One round of the fixture's experiment judged in groups of 3 by the API judge {@code providers} names, probed with {@code gold}. */
    private static ObjectNode grouped(Path out, Path providers, Path gold) {
        ObjectNode e = fixture.experiment(out).put("rounds", 1).put("tasks_per_round", 2).put("rollouts_per_task", 3)
                .put("allow_abstaining_judges", true);
        e.putArray("judges").addObject().put("model", "openai-compatible/judge").put("mode", "group");
        e.put("providers", providers.toString());
        e.putObject("probes").put("gold", gold.toString()).put("per_round", 4);
        return e;
    }

    /** One round of the fixture's experiment judged by the built-in checkpoint in {@code judge}. */
    private static ObjectNode judged(Path out, Path judge) {
        ObjectNode e = fixture.experiment(out).put("rounds", 1).put("allow_abstaining_judges", true);
        e.putArray("judges").addObject().put("model", "builtin/" + judge).put("prompt", "arithmetic-judge").put("weight", 1.0);
        return e;
    }

    @Test
    void consiliumRunTakesTheExecutorFromTheCommandLine() throws Exception {
        Path file = dir.resolve("cli.json");
        Files.writeString(file, fixture.experiment(dir.resolve("cli")).put("rounds", 1).toString());
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(new StringWriter()));
        assertNotEquals(0, cli.execute("run", file.toString(), "--master", "local[2]"), "--master without --executor");
        int opened = SerialisingExecutor.OPENED.get();
        assertEquals(0, cli.execute("run", file.toString(), "--executor", "serialising", "--conf", "x.y=1"));
        assertEquals(opened + 1, SerialisingExecutor.OPENED.get(), "the run went through the executor --executor named");
    }

    @Test
    void anExecutorNoJarProvidesIsAnErrorNamingThoseThatDo() {
        ObjectNode e = fixture.experiment(dir.resolve("unknown"));
        e.putObject("executor").put("type", "spark").put("master", "local[2]");
        ExperimentRun run = ExperimentRun.start(LoopFixture.parse(e), LoopFixture.quiet());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, run::run);
        assertTrue(x.getMessage().contains("no executor \"spark\"") && x.getMessage().contains("serialising"), x.getMessage());
    }

    @Test
    void aWorkflowBuiltFromALambdaIsRefusedForARemoteExecutorBeforeAnythingRuns() {
        Path out = dir.resolve("lambda");
        ExperimentRunBuilder b = ExperimentRun.builder().name("lambda").policy(fixture.policy())
                .workflow(policy -> Agent.builder().name("solver").role("Answer.").model(policy).build())
                .tasks(List.of(TaskRecord.of("a", "What is 2 + 3?", "5")), List.of(TaskRecord.of("b", "What is 1 + 4?", "5")))
                .reward(dev.consilium.rewards.function.RewardFunctions.exactMatch(), 1.0).out(out).log(LoopFixture.quiet());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> b.executor(new SerialisingExecutor()).build());
        assertTrue(x.getMessage().contains("lambda") && x.getMessage().contains("ConsiliumPlugin"), x.getMessage());
        ExperimentRun inProcessRun = ExperimentRun.builder().name("lambda").policy(fixture.policy())
                .workflow(policy -> Agent.builder().name("solver").role("Answer.").model(policy).build())
                .tasks(List.of(TaskRecord.of("a", "What is 2 + 3?", "5")), List.of(TaskRecord.of("b", "What is 1 + 4?", "5")))
                .reward(dev.consilium.rewards.function.RewardFunctions.exactMatch(), 1.0).out(out).log(LoopFixture.quiet()).build();
        assertThrows(IllegalArgumentException.class, () -> inProcessRun.withExecutor(new ExecutorOptions("serialising", null, null)).run());
        assertFalse(Files.exists(out.resolve("trajectories.jsonl")), "nothing ran");
    }

    private static List<JsonNode> comparable(List<JsonNode> records) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : records) out.add(withoutTiming(r));
        return out;
    }
}
