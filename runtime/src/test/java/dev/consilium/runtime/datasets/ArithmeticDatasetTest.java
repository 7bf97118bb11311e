package dev.consilium.runtime.datasets;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class ArithmeticDatasetTest {
    private static final Pattern Q = Pattern.compile("What is (\\d+) ([+-]) (\\d+)\\?");

    @Test
    void everyAnswerIsTheTrueResultOfItsQuestion() {
        var split = ArithmeticDataset.generate(7, 400, 100);
        for (var p : split.train()) {
            Matcher m = Q.matcher(p.question());
            assertTrue(m.matches(), p.question());
            int a = Integer.parseInt(m.group(1)), b = Integer.parseInt(m.group(3));
            int expected = m.group(2).equals("+") ? a + b : a - b;
            assertEquals(Integer.toString(expected), p.answer(), p.question());
            assertTrue(expected >= 0);
        }
    }

    @Test
    void splitsShareNoQuestionAndTheSameSeedGivesTheSameSplit() {
        var a = ArithmeticDataset.generate(11, 300, 100);
        var b = ArithmeticDataset.generate(11, 300, 100);
        assertEquals(a, b);
        Set<String> train = new HashSet<>();
        a.train().forEach(p -> train.add(p.question()));
        a.heldout().forEach(p -> assertFalse(train.contains(p.question()), p.question()));
        assertNotEquals(a, ArithmeticDataset.generate(12, 300, 100));
    }

    @Test
    void difficultyCountsDigitsAndCarries() {
        assertEquals(0, ArithmeticDataset.carries(12, 34, true));
        assertEquals(2, ArithmeticDataset.carries(99, 1, true));
        assertEquals(1, ArithmeticDataset.carries(30, 7, false));
        assertEquals(0, ArithmeticDataset.carries(57, 23, false));
    }
}
