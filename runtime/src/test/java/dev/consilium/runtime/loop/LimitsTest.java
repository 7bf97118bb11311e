package dev.consilium.runtime.loop;

import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** A run's budget and deadline stop it between rounds, saying which. */
class LimitsTest {
    /** A judge that scores every answer 1 and bills a dollar for it, as an API judge would. */
    static final RewardFunction PRICEY = new RewardFunction() {
        @Override public String name() { return "pricey-judge"; }
        @Override public Verdict evaluate(JudgedItem item) {
            Provenance p = new Provenance(name(), "", "Score: 1", 10, 1, 1.0, Set.of());
            return Verdict.Score.point(1, 0, 1, "", p);
        }
    };

    @Test
    void aSpentBudgetStopsTheRunBeforeItsNextRound(@TempDir Path dir) {
        AbstainingJudgeTest.setUp();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ExperimentRun.Result r = AbstainingJudgeTest.experiment(dir.resolve("run")).judge(PRICEY, 1.0).allowAbstainingJudges(true)
                .rounds(3).budgetUsd(5).log(new PrintStream(log, true, StandardCharsets.UTF_8)).build().run();
        assertEquals(2, r.rounds().size(), "round 1 spent 8 USD of 5; rounds 2 and 3 did not start");
        assertEquals(8.0, r.after().get("judge_cost_usd").asDouble(), 1e-9);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("stopping before round 2: the budget of 5.00 USD is spent"), log.toString());
    }

    @Test
    void aPassedDeadlineStopsTheRunBeforeItsFirstRound(@TempDir Path dir) {
        AbstainingJudgeTest.setUp();
        ExperimentRun.Result r = AbstainingJudgeTest.experiment(dir.resolve("run")).judge(PRICEY, 1.0)
                .deadline(Instant.now().minusSeconds(1)).build().run();
        assertEquals(1, r.rounds().size(), "only the starting policy's evaluation");
    }

    @Test
    void theExperimentFilesBudgetAndTimeLimitBecomeTheRunsLimits(@TempDir Path dir) {
        AbstainingJudgeTest.setUp();
        LoopFixture fixture = AbstainingJudgeTest.fixture;
        var file = fixture.experiment(dir.resolve("run")).put("budget_usd", 2.5).put("time_limit_minutes", 30);
        Instant before = Instant.now();
        ExperimentRunBuilder b = ExperimentFile.builder(LoopFixture.parse(file), "test", PluginRegistry.load(getClass().getClassLoader()));
        assertEquals(2.5, b.limits.budgetUsd());
        assertTrue(!b.limits.deadline().isBefore(before.plusSeconds(1800)) && b.limits.deadline().isBefore(Instant.now().plusSeconds(1801)),
                b.limits.toString());
        // 0, the key's default, is no budget at all rather than none to spend.
        assertNull(ExperimentFile.builder(LoopFixture.parse(file.put("budget_usd", 0)), "test",
                PluginRegistry.load(getClass().getClassLoader())).limits.budgetUsd());
    }
}
