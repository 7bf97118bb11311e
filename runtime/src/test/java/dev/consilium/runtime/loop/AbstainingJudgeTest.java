package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.function.RewardFunctions;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.journal.RunException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A judge that abstains on every transcript stops the run saying why, unless the experiment allows it. */
class AbstainingJudgeTest {
    static LoopFixture fixture;
    static List<TaskRecord> train, heldout;

    /** A judge whose every verdict abstains, as one whose prompt is longer than its model's context does. */
    static final RewardFunction SILENT = new RewardFunction() {
        @Override public String name() { return "silent-judge"; }
        @Override public Verdict evaluate(JudgedItem item) {
            return new Verdict.Abstain(AbstainReason.ERROR, "the prompt is longer than the model's context", Provenance.function(name()));
        }
    };

    @BeforeAll
    static synchronized void setUp() {
        if (fixture != null) return;
        try {
            fixture = LoopFixture.create(Files.createTempDirectory("abstaining-judge"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        train = TaskReader.jsonl().read(fixture.train(), true);
        heldout = TaskReader.jsonl().read(fixture.heldout(), true).subList(0, 6);
    }

    static ExperimentRunBuilder experiment(Path out) {
        return ExperimentRun.builder().name("silent").policy(fixture.policy())
                .workflow(WorkflowFactory.standard(), WorkflowSpec.of("single"))
                .tasks(train, heldout).judge(SILENT, 1.0).reward(RewardFunctions.exactMatch(), 1.0)
                .algorithm(new Algorithm.Grpo(0.01, 0.2, 0.28, 0, 1, 0))
                .rounds(1).tasksPerRound(4).rolloutsPerTask(2).seed(1).out(out).log(LoopFixture.quiet());
    }

    @Test
    void aRoundWhereEveryVerdictAbstainsStopsTheRunWithTheFirstCause(@TempDir Path dir) {
        Path out = dir.resolve("run");
        RunException e = assertThrows(RunException.class, () -> experiment(out).build().run());
        assertTrue(e.getMessage().contains("every judge verdict of the round abstained"), e.getMessage());
        assertTrue(e.getMessage().contains("ERROR (the prompt is longer than the model's context)"), e.getMessage());
        assertTrue(e.getMessage().contains("\"allow_abstaining_judges\": true"), e.getMessage());
        assertEquals(1, LoopFixture.lines(out.resolve("metrics.jsonl")).size(), "round 1 is not declared done");
        assertTrue(LoopFixture.lines(out.resolve("trajectories.jsonl")).isEmpty(), "nor journaled");
    }

    @Test
    void allowedAbstentionsLeaveTheVerifiableRewardThatScored(@TempDir Path dir) {
        Path out = dir.resolve("run");
        ExperimentRun.Result r = experiment(out).allowAbstainingJudges(true).build().run();
        assertEquals(2, r.rounds().size());
        assertEquals(0.0, r.after().get("abstain_rate").asDouble(), "exact match scored every rollout: " + r.after());
        for (JsonNode v : LoopFixture.lines(out.resolve("verdicts.jsonl"))) {
            assertEquals("abstain", v.get("judges").get(0).get("type").asText(), v.toString());
            assertEquals("score", v.get("combined").get("type").asText(), "the judge did not wipe out exact match: " + v);
        }
        assertTrue(Files.exists(r.report()));
    }
}
