package dev.consilium.runtime.verifier;

import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.rewards.calibration.GoldSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class JudgeRlTest {

    @Test
    void aReplyEarnsItsRewardOnlyWhereItsClosingVerdictIsTheLabel() {
        String reply = "final: a1 b3\nreference: a1 b3\ncheck: a1 1= b3 3=\nScore: 1";
        assertTrue(JudgeRl.right(reply, 1));
        assertFalse(JudgeRl.right(reply, 0));
        assertFalse(JudgeRl.right("final: a1 b3\nreference: a1 b3", 1), "no verdict is a wrong one");
        assertFalse(JudgeRl.right("Score: 1\nthen more words", 1), "only the closing verdict counts");
    }

    @Test
    void aRoundSamplesGroupsOfRepliesScoresThemAndMovesAJudgeWhoseRepliesDisagree() {
        ModelCheckpoint c = ModelCheckpoint.load(Path.of("..", "models", "demo-judge"));
        DeepSeekV3Model model = c.model();
        // A judge that drifted: its replies to one item now differ, so a group carries a signal.
        WeakenedJudge.weaken(model, 0.6, 3);
        float[] before = model.params().clone();
        List<JudgeExample> items = GoldSet.read(Path.of("..", "datasets", "judge", "arithmetic.jsonl")).stream()
                .filter(g -> !g.isPairwise()).limit(4).map(JudgeExample::of).toList();
        List<JudgeRl.Round> rounds = new JudgeRl(model, c.tokenizer(), new JudgeRl.Options(1, items.size(), 4, 1e-4f, 1.0, 1),
                JudgeTrainerTest.QUIET).train(r -> items);
        JudgeRl.Round r = rounds.getFirst();
        assertEquals(16, r.replies(), "4 replies to each of 4 items");
        assertTrue(r.right() > 0 && r.right() < 1, "some right, some wrong: " + r);
        assertTrue(r.informative() > 0, r.toString());
        assertFalse(java.util.Arrays.equals(before, model.params()), "the GRPO step moved the judge");
    }

    @Test
    void itsOptionsAreCheckedWithTheFlagsNamed() {
        var samples = assertThrows(IllegalArgumentException.class, () -> new JudgeRl.Options(1, 8, 1, 1e-4f, 1.0, 1));
        assertTrue(samples.getMessage().contains("--rl-samples must be >= 2"), samples.getMessage());
        var lr = assertThrows(IllegalArgumentException.class, () -> new JudgeRl.Options(1, 8, 4, 0f, 1.0, 1));
        assertTrue(lr.getMessage().contains("--rl-lr must be > 0"), lr.getMessage());
    }
}
