package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.calibration.GoldSet;
import dev.consilium.runtime.demo.arithmetic.ArithmeticJudge;
import dev.consilium.runtime.verifier.VerifierRefresh;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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
            weaken(c.model(), 1.0, 3);
            ModelCheckpoint.save(weakJudge, c.model(), c.tokenizer(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        train = TaskReader.jsonl().read(fixture.train(), true);
        heldout = TaskReader.jsonl().read(fixture.heldout(), true).subList(0, 2);
    }

    /** Adds to each weight noise of {@code share} times its tensor's standard deviation: a judge that drifted. */
    static void weaken(DeepSeekV3Model m, double share, long seed) {
        Random rng = new Random(seed);
        for (NamedTensor t : m.parameters()) {
            double sum = 0, sq = 0;
            for (int i = 0; i < t.size(); i++) { double v = t.get(i); sum += v; sq += v * v; }
            double std = Math.sqrt(Math.max(0, sq / t.size() - (sum / t.size()) * (sum / t.size())));
            for (int i = 0; i < t.size(); i++) t.data()[t.offset() + i] += (float) (share * std * rng.nextGaussian());
        }
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
                .rounds(rounds).tasksPerRound(2).rolloutsPerTask(2).seed(1).out(out).log(LoopFixture.quiet());
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
}
