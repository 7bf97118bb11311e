package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.calibration.GoldSet;
import dev.langchain4j.model.chat.ChatModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Gold probes ride along in every round's judging, and the reward-hacking alarm fires on a judge that calls every
 * number a match, while an always-right judge leaves it quiet.
 */
class ProbesAndAlarmTest {
    static LoopFixture fixture;
    static List<TaskRecord> train, heldout;
    static List<GoldItem> gold;

    @BeforeAll
    static synchronized void setUp() {
        if (fixture != null) return;
        try {
            fixture = LoopFixture.create(Files.createTempDirectory("probes"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        train = TaskReader.jsonl().read(fixture.train(), true);
        heldout = TaskReader.jsonl().read(fixture.heldout(), true).subList(0, 4);
        gold = new ArrayList<>();
        for (int a = 2; a < 6; a++) {   // 8 items: every round draws them all
            String task = "What is " + a + " + 3?", right = String.valueOf(a + 3);
            gold.add(new GoldItem("g" + a + "-right", "right", task, "The answer is " + right + ".", null, right, 1.0));
            gold.add(new GoldItem("g" + a + "-off", "digit-off", task, String.valueOf(a + 4), null, right, 0.0));
        }
    }

    /** 2 tasks x 2 rollouts a round, 8 probes, judged through the real pointwise prompt over {@code judge}. */
    static ExperimentRunBuilder experiment(Path out, ChatModel judge, Alarm alarm, int rounds) {
        var prompt = PluginRegistry.load(ProbesAndAlarmTest.class.getClassLoader()).judgePrompt(PluginRegistry.POINTWISE, "judges[0].prompt");
        return ExperimentRun.builder().name("probes").policy(fixture.policy())
                .workflow(WorkflowFactory.standard(), WorkflowSpec.of("single"))
                .tasks(train, heldout).judge(prompt.judge(judge, "test/judge", 1), 1.0)
                .probes(new GoldProbes(gold, 8)).alarm(alarm)
                .algorithm(new Algorithm.Grpo(0.01, 0.2, 0.28, 0, 1, 0))
                .rounds(rounds).tasksPerRound(2).rolloutsPerTask(2).seed(1).out(out);
    }

    @Test
    void aJudgeThatCallsEveryNumberAMatchRaisesTheAlarmAndStopsTheRun(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        ExperimentRun.Result r = experiment(out, ScriptedJudgeModels.yes(), new Alarm(0.9, 0.2, Alarm.Action.STOP), 3)
                .log(new PrintStream(terminal, true, StandardCharsets.UTF_8)).build().run();

        List<JsonNode> alarms = LoopFixture.lines(out.resolve("alarms.jsonl"));
        assertEquals(1, alarms.size(), "one alarm, then the run stops: " + alarms);
        assertTrue(alarms.getFirst().get("round").asInt() <= 2, "within two rounds: " + alarms);
        assertEquals("stop", alarms.getFirst().get("action").asText());
        assertEquals(alarms.getFirst().get("round").asInt(), r.after().get("round").asInt(), "no round after the alarm's");
        assertEquals(0.5, r.after().get("probe_agreement").asDouble(), 1e-9, "it passes the 4 wrong probes of 8: " + r.after());
        assertEquals(0.0, r.after().get("probe_agreement_by_kind").get("digit-off").asDouble(), r.after().toString());
        assertEquals(1.0, r.after().get("probe_agreement_by_kind").get("right").asDouble(), r.after().toString());
        assertTrue(r.after().get("alarm").get(0).asText().contains("agrees with only 0.500 of 8 gold probes"), r.after().toString());
        String log = terminal.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("REWARD-HACKING ALARM"), log);
        assertTrue(log.contains("stopping after round"), log);
        assertTrue(Files.readString(r.report()).contains("Reward-hacking alarm"), "the report marks it");
    }

    @Test
    void theRewardGapAloneRaisesTheAlarmAgainstTheRolloutsTruth(@TempDir Path dir) {
        // No probe threshold: the training reward (1.0 for every rollout) against the rollouts' answer check.
        ExperimentRun.Result r = experiment(dir.resolve("run"), ScriptedJudgeModels.yes(), new Alarm(null, 0.2, Alarm.Action.WARN), 1)
                .log(LoopFixture.quiet()).build().run();
        JsonNode m = r.after();
        assertEquals(1.0, m.get("reward_mean").asDouble(), m.toString());
        assertTrue(m.get("rollout_true_accuracy").asDouble() < 0.8, m.toString());
        assertEquals(1, m.get("alarm").size(), m.toString());
        assertTrue(m.get("alarm").get(0).asText().contains("from the truth"), m.toString());
    }

    @Test
    void anAlwaysRightJudgeLeavesTheAlarmQuiet(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        ExperimentRun.Result r = experiment(out, ScriptedJudgeModels.oracle(), Alarm.DEFAULTS, 2).log(LoopFixture.quiet()).build().run();
        assertEquals(3, r.rounds().size());
        assertTrue(LoopFixture.lines(out.resolve("alarms.jsonl")).isEmpty());
        for (JsonNode m : r.rounds().subList(1, 3)) {
            assertFalse(m.has("alarm"), m.toString());
            assertEquals(1.0, m.get("probe_agreement").asDouble(), m.toString());
            assertEquals(m.get("reward_mean").asDouble(), m.get("rollout_true_accuracy").asDouble(), 1e-9, m.toString());
        }
        List<JsonNode> probes = LoopFixture.lines(out.resolve("probes.jsonl"));
        assertEquals(16, probes.size(), "8 probes in each of 2 rounds");
        for (JsonNode p : probes) assertTrue(p.get("agrees").asBoolean(), p.toString());
        String report = Files.readString(r.report());
        assertTrue(report.contains("Reward against the truth"), "the report shows probe agreement beside reward and truth");
        assertFalse(report.contains("ALARM"), "and marks no round");
    }

    @Test
    void probesAreJudgedInAmongTheRolloutsInTheirTranscriptForm(@TempDir Path dir) {
        ScriptedJudgeModels.Recording judge = ScriptedJudgeModels.oracle();
        experiment(dir.resolve("run"), judge, null, 1).executor(RolloutExecutor.inProcess(1)).log(LoopFixture.quiet()).build().run();
        List<String> answers = judge.prompts.stream().map(p -> ScriptedJudgeModels.fenced(p, "answer")).toList();
        assertEquals(4 + 8, answers.size(), "4 rollouts and 8 probes: " + answers);
        for (String a : answers) assertTrue(a.startsWith("solver: "), "every transcript reads alike: " + answers);
        List<Integer> probeAt = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) if (answers.get(i).contains("answer is") || !answers.get(i).matches("solver: [57]")) probeAt.add(i);
        assertNotEquals(List.of(4, 5, 6, 7, 8, 9, 10, 11), probeAt, "the probes are shuffled in, not appended: " + answers);
        assertNotEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), probeAt, "nor prepended: " + answers);
    }

    @Test
    void aRunKilledWhileJudgingRoundTwosProbesResumesWithEveryProbeAndAlarmRecordOnce(@TempDir Path dir) {
        Alarm warn = new Alarm(0.9, 0.2, Alarm.Action.WARN);
        Path whole = dir.resolve("whole"), killed = dir.resolve("killed");
        experiment(whole, ScriptedJudgeModels.yes(), warn, 2).log(LoopFixture.quiet()).build().run();
        // Calls: round 0's evaluation, round 1's rollouts, judging's units (each judge's verdict on each transcript) and
        // its sums, evaluation, round 2's rollouts, judging's units (6), killed in among the probes' verdicts.
        ExperimentRun r = experiment(killed, ScriptedJudgeModels.yes(), warn, 2).log(LoopFixture.quiet()).build()
                .withExecutor(new KillingExecutor(6, 6));
        assertThrows(KillingExecutor.Killed.class, r::run);
        experiment(killed, ScriptedJudgeModels.yes(), warn, 2).log(LoopFixture.quiet()).resume(true).build().run();
        for (String journal : List.of("probes", "alarms", "metrics")) {
            List<JsonNode> expected = LoopFixture.lines(whole.resolve(journal + ".jsonl")).stream().map(LoopFixture::withoutTiming).toList();
            List<JsonNode> got = LoopFixture.lines(killed.resolve(journal + ".jsonl")).stream().map(LoopFixture::withoutTiming).toList();
            assertEquals(expected, got, journal + ".jsonl");
        }
        assertEquals(16, LoopFixture.lines(killed.resolve("probes.jsonl")).size());
        assertEquals(2, LoopFixture.lines(killed.resolve("alarms.jsonl")).size());
    }

    @Test
    void aGoldTranscriptKeepsItsTurnsAndABareGoldAnswerBecomesTheFirstSpeakersTurn() {
        Set<String> agents = new LinkedHashSet<>(List.of("solver", "reviser"));
        assertEquals("solver: 228\nreviser: 488", Judging.asTranscript("solver: 228\nreviser: 488", agents));
        assertEquals("solver: The answer is 13.", Judging.asTranscript("The answer is 13.", agents));
        assertEquals("solver: critic: 5", Judging.asTranscript("critic: 5", agents), "a speaker the rollouts never had is no turn");
    }

    @Test
    void probesAndAlarmAreExperimentFileKeysCheckedBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        Path goldFile = dir.resolve("gold.jsonl");
        GoldSet.write(goldFile, gold);
        Path out = dir.resolve("run");
        ObjectNode e = fixture.experiment(out);
        e.putArray("judges").addObject().put("model", "openai/gpt-4o-mini");
        e.putObject("probes").put("gold", "missing.jsonl");
        var registry = PluginRegistry.load(getClass().getClassLoader());
        Path file = dir.resolve("exp.json");
        Files.writeString(file, e.toString());
        var missing = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.start(file, registry, LoopFixture.quiet()));
        assertTrue(missing.getMessage().contains("\"probes.gold\": no file"), missing.getMessage());

        e.putObject("probes").put("gold", "gold.jsonl").put("per_round", 0);
        Files.writeString(file, e.toString());
        var perRound = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.start(file, registry, LoopFixture.quiet()));
        assertTrue(perRound.getMessage().contains("\"probes.per_round\" must be >= 1"), perRound.getMessage());

        e.putObject("probes").put("gold", "gold.jsonl");
        e.putObject("alarm").put("action", "panic");
        Files.writeString(file, e.toString());
        var action = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.start(file, registry, LoopFixture.quiet()));
        assertTrue(action.getMessage().contains("\"alarm.action\" must be warn, stop or refresh, was panic"), action.getMessage());

        e.putObject("alarm").put("min_probe_agreement", 1.5);
        Files.writeString(file, e.toString());
        var range = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.start(file, registry, LoopFixture.quiet()));
        assertTrue(range.getMessage().contains("\"alarm.min_probe_agreement\" must be between 0 and 1"), range.getMessage());

        e.remove("judges");
        e.remove("alarm");
        Files.writeString(file, e.toString());
        var noJudge = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.start(file, registry, LoopFixture.quiet()));
        assertTrue(noJudge.getMessage().contains("gold probes measure judges"), noJudge.getMessage());
        assertFalse(Files.exists(out), "nothing written");
    }
}
