package dev.consilium.moe.generate;

import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.checkpoint.DType;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A BF16 or FP8 checkpoint runs straight from its stored weights, and gives the bits of the fp32 model whose
 * weights were rounded the same way: narrow products decode each weight to the float it stands for and
 * accumulate as fp32 products do, and stacked products run their parts apart without changing any output.
 */
class QuantizedCheckpointGenerationTest {
    @TempDir
    Path tmp;

    @Test
    void aQuantizedCheckpointDecodesAsItsDequantizedModel() {
        for (DType dtype : List.of(DType.BF16, DType.F8_E4M3)) {
            for (boolean qLora : new boolean[] {true, false}) {
                ModelConfig c = TinyModels.config(qLora, false, 1, 1);
                Path dir = tmp.resolve(dtype + "-" + qLora);
                ModelCheckpoint.saveQuantized(dir, TinyModels.model(c, 11), null, dtype);
                var stored = CheckpointWeights.load(dir);
                InferenceWeights narrow = InferenceWeights.of(stored);
                DeepSeekV3Model rounded = ModelCheckpoint.load(dir).model();
                InferenceWeights wide = InferenceWeights.of(rounded);
                assertTrue(narrow.bytes() < wide.bytes() * 3 / 4, dtype + ": " + narrow.bytes() + " bytes, fp32 " + wide.bytes());

                int[] prompt = {5, 77, 3, 190, 42, 8, 250};
                for (boolean speculative : new boolean[] {false, true}) {
                    String what = dtype + " qLora=" + qLora + " speculative=" + speculative;
                    Completion got = Generator.builder().weights(narrow).speculative(speculative).build()
                            .generate(prompt, SamplingParams.builder().temperature(0).maxNewTokens(30).logprobs(true).build());
                    Completion want = Generator.builder().weights(wide).speculative(speculative).build()
                            .generate(prompt, SamplingParams.builder().temperature(0).maxNewTokens(30).logprobs(true).build());
                    assertArrayEquals(want.tokens(), got.tokens(), what);
                    for (int i = 0; i < want.tokens().length; i++) {
                        assertEquals(want.logprobs().get(i).logprob(), got.logprobs().get(i).logprob(), 0f, what + " token " + i);
                    }
                }
            }
        }
    }

    @Test
    void fp8WeightsFromAModelMatchAnFp8CheckpointsProjections() {
        ModelConfig c = TinyModels.config(true, false, 1, 0);
        DeepSeekV3Model m = TinyModels.model(c, 3);
        Path dir = tmp.resolve("fp8");
        ModelCheckpoint.saveQuantized(dir, m, null, DType.F8_E4M3);
        InferenceWeights fromModel = InferenceWeights.of(m, DType.F8_E4M3);
        InferenceWeights fromCheckpoint = InferenceWeights.of(CheckpointWeights.load(dir));
        float[] x = new float[c.hiddenSize()];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i + 1);
        var a = fromModel.layers[1].attn().w1();
        var b = fromCheckpoint.layers[1].attn().w1();
        float[] ya = new float[a.outputChannels()], yb = new float[b.outputChannels()];
        a.forward(ya, 0, x, 0, 1);
        b.forward(yb, 0, x, 0, 1);
        assertArrayEquals(ya, yb, 0f);
        assertEquals(fromCheckpoint.lmHead.bytes(), fromModel.lmHead.bytes(), "the LM head stays BF16 in both");
    }
}
