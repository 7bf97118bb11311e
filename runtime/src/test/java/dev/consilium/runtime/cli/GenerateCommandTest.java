package dev.consilium.runtime.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static dev.consilium.runtime.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateCommandTest {
    static final Path POLICY = Path.of("..", "models", "demo-policy");

    @Test
    void streamsTheAnswerThenTimesTheFirstTokenApartFromTheRest() {
        MainTest.Run r = run("generate", "--model", POLICY.toString(), "--prompt", "What is 17 + 25?", "--chat",
                "--temperature", "0");

        assertEquals(0, r.exit(), r.err());
        assertEquals("42", r.out().strip());
        assertTrue(r.err().strip().matches("\\[3 tokens, first after \\d+ ms, [0-9.]+ tokens/s after it, mtp acceptance n/a]"), r.err());
    }

    @Test
    void speculationIsAskedFor() {
        MainTest.Run r = run("generate", "--model", POLICY.toString(), "--prompt", "What is 17 + 25?", "--chat",
                "--temperature", "0", "--speculative");

        assertEquals(0, r.exit(), r.err());
        assertEquals("42", r.out().strip());
        assertTrue(r.err().strip().matches(".*mtp acceptance [0-9.]+]"), r.err());
    }
}
