package dev.consilium.rewards.advantage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AdvantageTest {

    static Verdict s(double v) {
        return Verdict.Score.point(v, 0, 1, "", Provenance.function("t"));
    }

    static final Verdict ABSTAIN = new Verdict.Abstain(AbstainReason.TIMEOUT, "slow", Provenance.function("t"));

    @Test
    void groupRelativeAdvantagesMaskAbstentions() {
        List<Verdict> g = List.of(s(1), s(0), ABSTAIN, s(1), s(0));
        GroupAdvantages std = GroupAdvantages.of(g, Normalization.MEAN_STD);
        double sd = Math.sqrt(1.0 / 3); // rewards 1,0,1,0: mean 0.5, sample std sqrt(1/3)
        assertArrayEquals(new double[] {0.5 / sd, -0.5 / sd, 0, 0.5 / sd, -0.5 / sd}, std.advantages(), 1e-12);
        assertArrayEquals(new boolean[] {true, true, false, true, true}, std.mask());
        assertEquals(1, std.masked());
        assertFalse(std.degenerate());
        assertArrayEquals(new double[] {0.5, -0.5, 0, 0.5, -0.5}, GroupAdvantages.of(g, Normalization.MEAN).advantages(), 1e-12);
        assertArrayEquals(new double[] {1 - 1.0 / 3, -2.0 / 3, 0, 1 - 1.0 / 3, -2.0 / 3},
                GroupAdvantages.of(g, Normalization.LEAVE_ONE_OUT).advantages(), 1e-12);
    }

    @Test
    void allEqualGroupsAreFlaggedAndCarryNoAdvantage() {
        GroupAdvantages a = GroupAdvantages.of(List.of(s(1), s(1), ABSTAIN), Normalization.MEAN_STD);
        assertTrue(a.degenerate());
        assertArrayEquals(new double[3], a.advantages());
        assertTrue(GroupAdvantages.of(List.of(ABSTAIN, ABSTAIN), Normalization.MEAN).degenerate());
    }

    @Test
    void creditSharesTheOutcomeOrUsesPerTurnScores() {
        List<String> turns = List.of("solver", "critic", "solver");
        List<TurnCredit> shared = TurnCredit.shareOutcome(s(0.8), turns);
        assertEquals(Map.of("solver", 0.8, "critic", 0.8), TurnCredit.byAgent(shared));
        List<TurnCredit> per = TurnCredit.perTurn(turns, List.of(s(0.2), ABSTAIN, s(0.6)));
        assertTrue(per.get(1).masked());
        assertEquals(Map.of("solver", 0.4), TurnCredit.byAgent(per));
    }

    @Test
    void preferencePairsTakeBestVersusWorstAboveTheMargin(@TempDir Path dir) throws Exception {
        var pair = PreferencePair.bestVsWorst("What is 2 + 3?", List.of("4", "5", "x", "6"), List.of(s(0.2), s(1), ABSTAIN, s(0)), 0.5).orElseThrow();
        assertEquals("5", pair.chosen());
        assertEquals("6", pair.rejected());
        assertEquals(1, pair.margin());
        assertTrue(PreferencePair.bestVsWorst("p", List.of("a", "b"), List.of(s(0.5), s(0.6)), 0.5).isEmpty());
        assertTrue(PreferencePair.bestVsWorst("p", List.of("a", "b"), List.of(ABSTAIN, ABSTAIN), 0).isEmpty());

        Path file = dir.resolve("pairs.jsonl");
        PreferencePair.toJsonl(List.of(pair), file);
        var line = new ObjectMapper().readTree(Files.readAllLines(file).getFirst());
        assertEquals("What is 2 + 3?", line.get("prompt").asText());
        assertEquals("5", line.get("chosen").asText());
        assertEquals("6", line.get("rejected").asText());
        assertEquals(3, line.size());
    }
}
