package dev.consilium.runtime.datasets;

import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.datasets.JudgeCases.Kind;
import dev.consilium.runtime.verifier.JudgeExample;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class JudgeCasesTest {
    @Test
    void everyCaseIsLabelledAsTheJudgesReadingOfItsFinalAnswerScoresIt() {
        Random rng = new Random(3);
        for (int i = 0; i < 3000; i++) {
            Problem p = ArithmeticDataset.draw(rng, "");
            for (Kind kind : JudgeCases.kinds()) {
                if (!JudgeCases.applies(kind, p)) continue;
                JudgeExample e = JudgeExample.of(JudgeCases.of(kind, p, rng));
                assertEquals(kind.right ? 1 : 0, e.label());
                assertTrue(e.reply().endsWith("Score: " + e.label()), kind + " on " + p + ": " + e.transcript() + " -> " + e.reply());
            }
        }
    }

    @Test
    void nearMissesAreOfTheirKindAndNeverTheTruth() {
        Random rng = new Random(5);
        for (int v = 0; v < 2000; v++) {
            String t = Integer.toString(v);
            String off = JudgeCases.digitOff(t, rng);
            assertEquals(t.length(), off.length());
            int differing = 0;
            for (int k = 0; k < t.length(); k++) if (t.charAt(k) != off.charAt(k)) differing++;
            assertEquals(1, differing, t + " -> " + off);
            assertFalse(off.length() > 1 && off.charAt(0) == '0', off);
            assertEquals(10, Math.abs(Integer.parseInt(JudgeCases.offByTen(t, rng)) - v));
            String s = JudgeCases.swapped(t);
            if (s != null) {
                assertNotEquals(t, s);
                assertEquals(sorted(t), sorted(s));
                assertFalse(s.length() > 1 && s.charAt(0) == '0', s);
            }
            assertNotEquals(t, JudgeCases.nearMiss(t, rng));
            assertNotEquals(t, JudgeCases.wrong(t, rng));
        }
        assertNull(JudgeCases.swapped("7"));
        assertNull(JudgeCases.swapped("100"));
        assertEquals("98", JudgeCases.swapped("89"));
    }

    @Test
    void trainingCasesAreHalfRightAndNeverAnExcludedQuestion() {
        Random probe = new Random(9);
        Set<String> exclude = new HashSet<>();
        for (int i = 0; i < 300; i++) exclude.add(ArithmeticDataset.draw(probe, "").question());
        Random rng = new Random(9);
        Map<Kind, Integer> kinds = new HashMap<>();
        int right = 0;
        for (int i = 0; i < 4000; i++) {
            JudgeCases.Case c = JudgeCases.sample(rng, exclude);
            assertFalse(exclude.contains(c.problem().question()), c.problem().question());
            kinds.merge(c.kind(), 1, Integer::sum);
            right += c.label();
        }
        assertEquals(Kind.values().length, kinds.size(), "every kind is drawn: " + kinds);
        assertTrue(right > 1700 && right < 2300, right + " right of 4000");
    }

    @Test
    void theGoldSetIsReproducibleHoldsEveryKindAndSkipsExcludedQuestions() {
        List<GoldItem> a = JudgeGoldDataset.arithmetic(11, 6, List.of());
        assertEquals(a, JudgeGoldDataset.arithmetic(11, 6, List.of()));
        Problem held = new Problem("h", a.getFirst().task(), a.getFirst().reference(), 1);
        List<GoldItem> b = JudgeGoldDataset.arithmetic(11, 6, List.of(held));
        assertTrue(b.stream().noneMatch(g -> g.task().equals(held.question())));
        Map<String, Integer> perKind = new HashMap<>();
        Set<String> tasks = new HashSet<>();
        for (GoldItem g : a) {
            perKind.merge(g.kind(), 1, Integer::sum);
            assertTrue(tasks.add(g.task()), "each item has its own question: " + g.task());
            if (!g.isPairwise()) assertEquals(g.label(), JudgeExample.of(g).label());
        }
        for (Kind k : JudgeCases.kinds()) assertEquals(6, perKind.get(k.id), k.id);
        assertEquals(6, perKind.get(GoldItem.PAIRWISE));
        assertEquals(Kind.values()[1].id, a.get(1).kind(), "kinds are interleaved so a prefix holds every kind");
    }

    private static String sorted(String s) {
        char[] c = s.toCharArray();
        java.util.Arrays.sort(c);
        return new String(c);
    }
}
