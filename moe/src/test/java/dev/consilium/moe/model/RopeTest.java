package dev.consilium.moe.model;

import dev.consilium.moe.config.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RopeTest {
    /** DeepSeek-V3's own rope settings: d = 64, theta 1e4, YaRN factor 40 from 4096 to 163840 positions. */
    static ModelConfig deepseekV3Rope() {
        return ModelConfig.fromJson("""
                {"vocab_size": 8, "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 1,
                 "first_k_dense_replace": 1, "num_attention_heads": 128,
                 "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
                 "rope_theta": 10000, "max_position_embeddings": 163840,
                 "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
                                  "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}}
                """);
    }

    @Test
    void yarnCorrectionRangeIsTheReferencesForDeepSeekV3() {
        // floor(64 ln(4096/(32*2pi)) / (2 ln 1e4)) = floor(10.47), ceil(64 ln(4096/(2pi)) / (2 ln 1e4)) = ceil(22.51)
        assertArrayEquals(new int[] {10, 23}, Rope.correctionRange(32, 1, 64, 10000, 4096));
    }

    @Test
    void yarnKeepsFastDimsScalesSlowDimsAndRampsBetween() {
        float[] f = Rope.frequencies(deepseekV3Rope());
        assertEquals(32, f.length);
        assertEquals(1.0, f[0], 1e-7);
        assertEquals(Math.pow(10000, -6.0 / 64), f[3], 1e-7, "below the range: unchanged");
        assertEquals(Math.pow(10000, -62.0 / 64) / 40, f[31], 1e-9, "above the range: divided by factor");
        double smooth = 1 - 5.0 / 13; // ramp (15 - 10) / (23 - 10)
        assertEquals(Math.pow(10000, -30.0 / 64) * (smooth + (1 - smooth) / 40), f[15], 1e-7);
    }

    @Test
    void yarnMultipliesTheSoftmaxScaleByMscaleSquared() {
        double mscale = 0.1 * Math.log(40) + 1;
        assertEquals(Math.pow(192, -0.5) * mscale * mscale, Mla.softmaxScale(deepseekV3Rope()), 1e-7);
        assertEquals(Math.pow(8, -0.5), Mla.softmaxScale(TestConfigs.tiny(true, 0, false)), 1e-7);
    }

    @Test
    void rotatesAdjacentPairsByPositionTimesFrequency() {
        ModelConfig c = TestConfigs.tiny(true, 0, false); // d = 4, no YaRN
        Rope rope = new Rope(c);
        rope.ensure(8);
        int T = 8, d = 4;
        float[] x = new float[T * d];
        for (int t = 0; t < T; t++) { x[t * d] = 1; x[t * d + 2] = 1; }
        rope.apply(x, 0, d, 0, 1, 1, T, false);
        for (int t = 0; t < T; t++) {
            double f1 = Math.pow(10000, -2.0 / 4);
            assertEquals(Math.cos(t), x[t * d], 1e-6);
            assertEquals(Math.sin(t), x[t * d + 1], 1e-6, "pair (0, 1) rotates together");
            assertEquals(Math.cos(t * f1), x[t * d + 2], 1e-6);
            assertEquals(Math.sin(t * f1), x[t * d + 3], 1e-6);
        }
    }

    @Test
    void inverseIsTheTransposeSoBackwardIsExact() {
        ModelConfig c = TestConfigs.tiny(false, 0, true);
        Rope rope = new Rope(c);
        int B = 2, T = 5, heads = 3, d = 4, stride = 17, off = 2;
        rope.ensure(T);
        SplittableRandom r = new SplittableRandom(7);
        float[] x = randn(r, off + B * T * stride, 1), y = randn(r, off + B * T * stride, 1);
        float[] rx = x.clone(), ry = y.clone();
        rope.apply(rx, off, stride, 5, heads, B, T, false);
        rope.apply(ry, off, stride, 5, heads, B, T, true);
        // <R x, y> = <x, R^T y> over the rotated slices; untouched floats stay as they were
        double a = 0, b = 0;
        for (int n = 0; n < B * T; n++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < d; i++) {
                    int p = off + n * stride + h * 5 + i;
                    a += (double) rx[p] * y[p];
                    b += (double) x[p] * ry[p];
                }
            }
        }
        assertEquals(a, b, 1e-5);
        rope.apply(rx, off, stride, 5, heads, B, T, true);
        assertArrayEquals(x, rx, 1e-6f);
    }
}
