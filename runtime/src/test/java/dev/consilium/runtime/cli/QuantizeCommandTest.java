package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Fp8Weight;
import dev.consilium.moe.model.DeepSeekV3Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.consilium.runtime.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizeCommandTest {

    @Test
    void writesAnFp8CopyThatLoadsForInference(@TempDir Path dir) {
        Path model = dir.resolve("model"), out = dir.resolve("model-fp8");
        ModelCheckpoint.save(model, new DeepSeekV3Model(ModelConfig.named("tiny"), 1), null, null);

        MainTest.Run r = run("quantize", "--model", model.toString(), "--to", "fp8", "--out", out.toString());

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("wrote fp8 copy of " + model + " to " + out), r.out());
        assertInstanceOf(Fp8Weight.class, CheckpointWeights.load(out).projection("model.layers.0.self_attn.o_proj.weight"));
    }

    @Test
    void refusesToOverwriteTheMasterWeights(@TempDir Path dir) {
        MainTest.Run r = run("quantize", "--model", dir.toString(), "--to", "bf16", "--out", dir.toString());

        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--out must differ from --model"), r.err());
    }
}
