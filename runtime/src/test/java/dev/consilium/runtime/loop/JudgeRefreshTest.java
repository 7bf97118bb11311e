package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.calibration.GoldSet;
import dev.consilium.runtime.demo.arithmetic.ArithmeticJudge;
import dev.consilium.runtime.verifier.VerifierRefresh;
import dev.consilium.runtime.verifier.WeakenedJudge;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Judge refresh during a run: a built-in judge weakened on purpose agrees better with the truth after a refresh on
 * gold items and the round's labelled rollouts; the alarm with action refresh refreshes it; a resumed run goes on with
 * the judge the interrupted one had reached; a refresh that cannot work is one error before anything is written.
 */
class JudgeRefreshTest {
    static final Path GOLD = Path.of("..", "datasets", "judge", "arithmetic.jsonl");
    static LoopFixture fixture;
    static List<TaskRecord> train, heldout;
    static Path weakJudge;

    @BeforeAll
    static synchronized void setUp() {
        if (fixture != null) return;
        try {
            Path dir = Files.createTempDirectory("refresh");
            fixture = LoopFixture.create(dir);
            weakJudge = dir.resolve("weak-judge");
            ModelCheckpoint c = ModelCheckpoint.load(Path.of("..", "models", "demo-judge"));
            WeakenedJudge.weaken(c.model(), 1.0, 3);
            ModelCheckpoint.save(weakJudge, c.model(), c.tokenizer(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        train = TaskReader.jsonl().read(fixture.train(), true);
        heldout = TaskReader.jsonl().read(fixture.heldout(), true).subList(0, 2);
    }

    /** The demo's judge prompt over {@code judge}, refreshed as {@code refresh} says, on the fixture's policy. */
    static ExperimentRunBuilder experiment(Path out, Path judge, JudgeRefresh.Builder refresh, Alarm alarm, int rounds) {
        JudgePrompt prompt = PluginRegistry.load(JudgeRefreshTest.class.getClassLoader()).judgePrompt(ArithmeticJudge.PROMPT.name(), "p");
        var served = dev.consilium.agents.provider.builtin.BuiltinModel.load(judge);
        ExperimentRunBuilder b = ExperimentRun.builder().name("refresh").policy(fixture.policy())
                .workflow(WorkflowFactory.standard(), WorkflowSpec.of("single"))
                .tasks(train, heldout)
                .judge(prompt.judge(GreedyChatModel.byDefault(new dev.consilium.agents.provider.builtin.BuiltinChatModel(served),
                        ExperimentFile.JUDGE_TOKENS), "builtin/judge", 1), 1.0)
                .algorithm(new Algorithm.Grpo(0.01, 0.2, 0.28, 0, 1, 0))
                .rounds(rounds).tasksPerRound(2).rolloutsPerTask(2).seed(1).out(out).log(LoopFixture.quiet())
                .allowAbstainingJudges(true);   // a drifted judge may write no verdict at all
        if (alarm != null) b.alarm(alarm);
        return b.judgeRefresh(refresh.checkpoint(judge).prompt(prompt, "builtin/judge", 1).build());
    }

    static List<GoldItem> gold() {
        return GoldSet.read(GOLD).stream().filter(g -> !g.isPairwise()).toList();
    }

    @Test
    void aWeakenedJudgeAgreesBetterAfterARefreshOnGoldAndLabelledRollouts(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        ExperimentRun.Result r = experiment(out, weakJudge, JudgeRefresh.builder().trainer(new VerifierRefresh()).every(1)
                .options(new TrainableJudge.Options(40, 1e-3, 8)).gold(gold(), 200).heldBack(24), null, 1).build().run();

        JsonNode refresh = r.after().get("judge_refresh");
        assertNotNull(refresh, r.after().toString());
        assertEquals("every 1 rounds", refresh.get("why").asText());
        double before = refresh.get("agreement_before").asDouble(), after = refresh.get("agreement_after").asDouble();
        assertTrue(after > before + 0.3, "the refreshed judge agrees better on held-back items: " + before + " -> " + after);
        List<JsonNode> journal = LoopFixture.lines(out.resolve("judge_refresh.jsonl"));
        assertEquals(1, journal.size());
        JsonNode rec = journal.getFirst();
        assertEquals(4, rec.get("rollout_items").asInt(), "the round's 2 x 2 rollouts, labelled by the answer check: " + rec);
        assertTrue(rec.get("gold_ids").size() > 100, rec.toString());
        assertEquals(24, rec.get("held_back_ids").size());
        for (JsonNode id : rec.get("held_back_ids")) {
            for (JsonNode trained : rec.get("gold_ids")) assertNotEquals(id, trained, "a held-back item is never trained on");
        }
        assertTrue(Files.isRegularFile(JudgeRefreshing.checkpointDir(out, 1).resolve("model.safetensors")));
        assertTrue(Files.readString(r.report()).contains("judge refreshed"), "the report marks the refresh");
    }

    /**
     * A stand-in for a trainer that changes the judge cheaply: the refreshed checkpoint is the same architecture with
     * fresh random weights from the refresh's seed, so each refresh's judge writes other words; it records where
     * each refresh started from.
     */
    static final class Reweighting implements TrainableJudge {
        final List<String> from = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Trained train(Path start, Path to, List<GoldItem> items, Options options, long seed, java.io.PrintStream log) {
            from.add(start.getFileName().toString());
            ModelCheckpoint c = ModelCheckpoint.load(start);
            ModelCheckpoint.save(to, new DeepSeekV3Model(c.model().config(), seed), c.tokenizer(), null);
            return new Trained(items.size(), 0);
        }
    }

    /** An untrained tiny judge (it abstains), beside a reward that is always 1 so that rounds train and the gap alarm can fire. */
    static Path tinyJudge(Path dir) {
        Path judge = dir.resolve("tiny-judge");
        ModelCheckpoint.save(judge, new DeepSeekV3Model(LoopFixture.config(1024), 9),
                ModelCheckpoint.load(fixture.policy()).tokenizer(), null);
        return judge;
    }

    static ExperimentRunBuilder tiny(Path out, Path judge, JudgeRefresh.Builder refresh, Alarm alarm, int rounds) {
        return experiment(out, judge, refresh, alarm, rounds).reward(dev.consilium.rewards.function.RewardFunctions.lambda("always", item -> 1.0), 1.0);
    }

    @Test
    void theAlarmWithActionRefreshRefreshesTheJudgeInTheRoundItFires(@TempDir Path dir) {
        Path out = dir.resolve("run");
        Reweighting trainer = new Reweighting();
        // every 0: no refresh on a schedule, only on the alarm (the reward of 1.0 is far from the rollouts' truth)
        ExperimentRun.Result r = tiny(out, tinyJudge(dir), JudgeRefresh.builder().trainer(trainer).gold(gold(), 8).heldBack(4),
                new Alarm(null, 0.2, Alarm.Action.REFRESH), 2).build().run();
        for (JsonNode m : r.rounds().subList(1, 3)) {
            assertTrue(m.has("alarm"), m.toString());
            assertEquals("alarm", m.get("judge_refresh").get("why").asText(), m.toString());
        }
        assertEquals(List.of("tiny-judge", "round-0001"), trainer.from, "round 2's refresh starts from round 1's judge");
        List<JsonNode> alarms = LoopFixture.lines(out.resolve("alarms.jsonl"));
        assertEquals("refresh", alarms.getFirst().get("action").asText());
        assertEquals(2, LoopFixture.lines(out.resolve("judge_refresh.jsonl")).size());
    }

    @Test
    void withoutAnAlarmOrScheduleNoRefreshHappens(@TempDir Path dir) {
        Path out = dir.resolve("run");
        Reweighting trainer = new Reweighting();
        ExperimentRun.Result r = tiny(out, tinyJudge(dir), JudgeRefresh.builder().trainer(trainer), new Alarm(null, 0.2, Alarm.Action.WARN), 1)
                .build().run();
        assertFalse(r.after().has("judge_refresh"), r.after().toString());
        assertTrue(trainer.from.isEmpty());
        assertFalse(Files.exists(out.resolve(JudgeRefreshing.DIR)));
    }

    @Test
    void aResumedRunJudgesWithTheJudgeTheInterruptedRunHadReached(@TempDir Path dir) {
        Path judge = tinyJudge(dir), whole = dir.resolve("whole"), killed = dir.resolve("killed"), fixed = dir.resolve("fixed");
        JudgeRefresh.Builder everyRound = JudgeRefresh.builder().every(1).gold(gold(), 8).heldBack(4);
        tiny(whole, judge, everyRound.trainer(new Reweighting()), null, 2).build().run();
        tiny(fixed, judge, JudgeRefresh.builder().trainer(new Reweighting()), null, 2).build().run();
        // Calls: round 0's evaluation; round 1's rollouts, judging, evaluation, the refresh's two measurements; round 2's
        // rollouts, then its judging (call 7), where the run dies.
        ExperimentRun r = tiny(killed, judge, everyRound.trainer(new Reweighting()), null, 2).build().withExecutor(new KillingExecutor(7, 1));
        assertThrows(KillingExecutor.Killed.class, r::run);
        Reweighting resumed = new Reweighting();
        tiny(killed, judge, everyRound.trainer(resumed), null, 2).resume(true).build().run();

        assertEquals(List.of("round-0001"), resumed.from, "the resumed run refreshes round 2's judge from round 1's");
        for (String journal : List.of("verdicts", "judge_refresh", "metrics")) {
            List<JsonNode> expected = LoopFixture.lines(whole.resolve(journal + ".jsonl")).stream().map(LoopFixture::withoutTiming).toList();
            List<JsonNode> got = LoopFixture.lines(killed.resolve(journal + ".jsonl")).stream().map(LoopFixture::withoutTiming).toList();
            assertEquals(expected, got, journal + ".jsonl");
        }
        // Round 2 was judged by the refreshed judge: its words differ from those of the judge the run started with.
        List<JsonNode> refreshed = LoopFixture.lines(killed.resolve("verdicts.jsonl")), unrefreshed = LoopFixture.lines(fixed.resolve("verdicts.jsonl"));
        assertEquals(unrefreshed.get(0).get("judges"), refreshed.get(0).get("judges"), "round 1: the same starting judge");
        assertNotEquals(unrefreshed.getLast().get("judges"), refreshed.getLast().get("judges"), "round 2: the refreshed judge");
    }

    @Test
    void aRefreshThatCannotWorkIsOneErrorBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        var registry = PluginRegistry.load(getClass().getClassLoader());
        Path file = dir.resolve("exp.json");
        Path judge = Files.createDirectories(dir.resolve("judge"));
        ModelCheckpoint.save(judge, new DeepSeekV3Model(LoopFixture.config(1024), 9), ModelCheckpoint.load(fixture.policy()).tokenizer(), null);
        GoldSet.write(dir.resolve("gold.jsonl"), gold().subList(0, 20));
        List<String[]> cases = List.of(
                new String[] {"openai/gpt-4o-mini", "arithmetic-judge", "{}", "warn", "only a built-in judge can be refreshed"},
                new String[] {"judge", "arithmetic-judge", "{\"steps\": 0}", "warn", "\"judge_refresh.steps\" must be >= 1, was 0"},
                new String[] {"judge", "arithmetic-judge", "{\"judge\": 2}", "warn", "\"judge_refresh.judge\" must name one of the 1 judges"},
                new String[] {"judge", "arithmetic-judge", "{\"held_back\": 0}", "warn", "\"judge_refresh.held_back\" must be >= 1"},
                new String[] {"judge", "pointwise", "{}", "warn", "judge prompt \"pointwise\" has no judge trainer"},
                new String[] {"judge", "arithmetic-judge", "{\"gold\": \"none.jsonl\"}", "warn", "\"judge_refresh.gold\": no file"},
                new String[] {"judge", "arithmetic-judge", null, "refresh", "\"alarm.action\": refresh needs \"judge_refresh\""});
        for (String[] c : cases) {
            ObjectNode e = fixture.experiment(out);
            e.putArray("judges").addObject().put("model", c[0]).put("prompt", c[1]);
            e.putObject("probes").put("gold", "gold.jsonl").put("per_round", 4);
            e.putObject("alarm").put("action", c[3]);
            if (c[2] != null) e.set("judge_refresh", LoopFixture.JSON.readTree(c[2]));
            Files.writeString(file, e.toString());
            var ex = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.start(file, registry, LoopFixture.quiet()), c[4]);
            assertTrue(ex.getMessage().contains(c[4]), ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), "one line: " + ex.getMessage());
        }
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void oneGoldSetForProbesAndRefreshIsSplitByTaskSoTheJudgeIsNeverTrainedOnAProbe(@TempDir Path dir) throws IOException {
        GoldSet.write(dir.resolve("gold.jsonl"), gold());
        ModelCheckpoint.save(dir.resolve("judge"), new DeepSeekV3Model(LoopFixture.config(1024), 9),
                ModelCheckpoint.load(fixture.policy()).tokenizer(), null);
        ObjectNode e = fixture.experiment(dir.resolve("run"));
        e.putArray("judges").addObject().put("model", "judge").put("prompt", "arithmetic-judge");
        e.putObject("probes").put("gold", "gold.jsonl");
        e.putObject("judge_refresh").put("every", 1);
        Path file = dir.resolve("exp.json");
        Files.writeString(file, e.toString());
        ExperimentRunBuilder b = ExperimentFile.builder(ExperimentFile.resolvePaths(Experiment.load(file), dir, "exp.json"), "exp.json",
                PluginRegistry.load(getClass().getClassLoader()));
        b.build();
        java.util.Set<String> probed = new java.util.HashSet<>();
        for (GoldItem g : b.probes.gold()) probed.add(g.task());
        assertTrue(b.probes.gold().size() > 100 && b.refresh.gold().size() > 100, "each half a good share");
        for (GoldItem g : b.refresh.gold()) assertFalse(probed.contains(g.task()), g.id() + " is a probe's task");
        assertEquals(gold().size(), b.probes.gold().size() + b.refresh.gold().size());
    }
}
