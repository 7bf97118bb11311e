package dev.consilium.runtime.verifier;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.train.TokenDataset;
import dev.consilium.rewards.calibration.GoldItem;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class JudgeTrainerTest {
    static final BpeTokenizer TOKENIZER = BpeTokenizer.load(Path.of("..", "models", "demo-judge", "tokenizer.json"));
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private static JudgeTrainer trainer(float verdictWeight) {
        return new JudgeTrainer(new DeepSeekV3Model(ModelConfig.named("tiny"), 1), TOKENIZER,
                new JudgeTrainer.Options(1, 1, 64, 1e-3f, 1, verdictWeight, 0, 0, 0, 1, 0), QUIET);
    }

    @Test
    void theVerdictTokensWeighMoreThanTheReadingAndThePromptNothing() {
        JudgeExample e = new JudgeExample("What is 600 + 32?", "solver: 632\nreviser: 623", "632", "reviser-breaks", 0);
        TokenDataset d = trainer(5f).dataset(List.of(e), 1);
        int n = d.size();
        int[] in = new int[n - 1], tg = new int[n - 1];
        float[] w = new float[n - 1];
        d.sequential(0, 1, n - 1, in, tg, w);
        int heavy = 0, reading = 0, prompt = 0;
        StringBuilder heavyText = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            if (w[i] == 5f) {
                heavy++;
                heavyText.append(TOKENIZER.decode(new int[] {tg[i]}));
            } else if (w[i] == 1f) reading++;
            else prompt++;
        }
        assertEquals("=xx0", heavyText.toString(), "three comparison marks and the score");
        assertEquals(4, heavy);
        assertTrue(reading > 30, "the reading is learnt too: " + reading);
        assertTrue(prompt > 100, "the prompt is context: " + prompt);
    }

    @Test
    void verdictCharactersAreTheMarksAndTheScore() {
        String reply = "final: a1 b0\nreference: a1 b0\ncheck: a1 1= b0 0=\nScore: 1";
        assertEquals("==1", marked(JudgeTrainer.verdictChars(reply), reply));
        assertEquals("0", marked(JudgeTrainer.verdictChars("final: hedged\nScore: 0"), "final: hedged\nScore: 0"));
    }

    private static String marked(boolean[] v, String reply) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < v.length; i++) if (v[i]) s.append(reply.charAt(i));
        return s.toString();
    }

    @Test
    void anUntrainedJudgesMistakesAreWhatMiningCollects() {
        List<JudgeExample> items = List.of(
                new JudgeExample("What is 2 + 2?", "solver: 4", "4", "right", 1),
                new JudgeExample("What is 2 + 3?", "solver: 6", "5", "digit-off", 0));
        JudgeTrainer.Pass pass = trainer(4f).judge(items);
        assertEquals(2, pass.judged());
        // a random model writes no verdict the parser reads, or a wrong one: either way a mistake to train on
        assertFalse(pass.mistakes().isEmpty());
        assertEquals(pass.mistakes().size(), pass.perKind().values().stream().mapToInt(c -> c[0]).sum());
    }

    @Test
    void aGoldItemWhoseLabelItsReadingContradictsIsNamed() {
        GoldItem bad = GoldItem.pointwise("g-1", "digit-off", "What is 2 + 2?", "solver: 4", "4", 0);
        var e = assertThrows(IllegalArgumentException.class, () -> JudgeExample.of(bad));
        assertTrue(e.getMessage().contains("g-1") && e.getMessage().contains("label 0.0"), e.getMessage());
        assertEquals(1, JudgeExample.of(GoldItem.pointwise("g-2", "right", "What is 2 + 2?", "solver: 5\nreviser: 4", "4", 1)).label());
    }

    @Test
    void theFinalAnswerIsTheLastTurnsText() {
        assertEquals("623", JudgeExample.finalAnswer("solver: 632\nreviser: 623"));
        assertEquals("The answer is 4.", JudgeExample.finalAnswer("The answer is 4."));
        assertEquals("", JudgeExample.finalAnswer("solver: "));
    }
}
