package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.ModelCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.consilium.runtime.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainCommandTest {

    @Test
    void theCrossChecksExactSgdWithNoHeldOutShareTrainsAndSavesItsCheckpoint(@TempDir Path dir) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int line = 0; line < 4; line++) {
            lines.append("{\"tokens\": [");
            for (int i = 0; i < 40; i++) lines.append(i == 0 ? "" : ", ").append(3 + (line * 7 + i * 5) % 200);
            lines.append("]}\n");
        }
        Path tokens = Files.writeString(dir.resolve("tokens.jsonl"), lines);
        Path out = dir.resolve("sgd");

        // the README's cross-check command, on a small shape
        MainTest.Run r = run("train", "--init", GenerateCommandTest.POLICY.toString(), "--data", tokens.toString(),
                "--optimizer", "sgd", "--lr", "0.1", "--steps", "2", "--sequential", "--clip", "0", "--warmup", "0",
                "--min-lr-ratio", "1", "--bias-update", "0", "--mtp-weight", "0", "--balance-weight", "0",
                "--eval-fraction", "0", "--batch-size", "2", "--seq-len", "16", "--out", out.toString());

        assertEquals(0, r.exit(), r.err());
        assertEquals(2, ModelCheckpoint.load(out).trainingState().step());
    }
}
