package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.Checkpoint;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

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

    @Test
    void aTransposedLmHeadOfTheRightSizeIsAnErrorNotGarbage(@TempDir Path dir) {
        ModelCheckpoint policy = ModelCheckpoint.load(POLICY);
        int[] transposed = {policy.model().config().hiddenSize(), policy.model().config().vocabSize()};
        List<NamedTensor> params = policy.model().parameters().stream()
                .map(t -> t.name().equals("lm_head.weight") ? new NamedTensor(t.name(), transposed, t.data(), t.offset()) : t)
                .toList();
        Path broken = dir.resolve("transposed");
        Checkpoint.save(broken, policy.model().config().toJson(), params, policy.model().buffers(),
                policy.tokenizer().toJson().getBytes(StandardCharsets.UTF_8));

        MainTest.Run r = run("generate", "--model", broken.toString(), "--prompt", "What is 17 + 25?", "--chat");

        assertEquals(1, r.exit(), r.out());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(broken.resolve("model.safetensors") + ": tensor 'lm_head.weight' has shape [128, 512], "
                + "expected [512, 128] (stored transposed)"), r.err());
    }
}
