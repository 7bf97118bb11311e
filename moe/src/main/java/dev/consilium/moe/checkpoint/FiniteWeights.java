package dev.consilium.moe.checkpoint;

import java.util.Arrays;

/**
 * Refuses NaN and infinite weights as they load, naming the tensor and the element. Caught later, one NaN
 * weight surfaces far from its cause: every logit NaN, garbage text, or a router that picks no expert and
 * fails with an index of -1. One pass over the values, in the form they are stored in.
 */
final class FiniteWeights {
    private FiniteWeights() {}

    /** {@code values[off, off + n)}, read from tensor {@code t}. */
    static void require(TensorInfo t, float[] values, int off, int n) {
        for (int i = 0; i < n; i++) {
            float v = values[off + i];
            if (Float.isNaN(v) || Float.isInfinite(v)) throw refused(t, i, Float.isNaN(v) ? "NaN" : "an infinity");
        }
    }

    /** BF16 or F16 bits as stored: all-ones exponent is an infinity or a NaN. */
    static void requireHalf(TensorInfo t, short[] bits) {
        boolean f16 = t.dtype() == DType.F16;
        int exponent = f16 ? 0x7C00 : 0x7F80, mantissa = f16 ? 0x03FF : 0x007F;
        for (int i = 0; i < bits.length; i++) {
            if ((bits[i] & exponent) == exponent) throw refused(t, i, (bits[i] & mantissa) == 0 ? "an infinity" : "NaN");
        }
    }

    /** F8_E4M3 bytes as stored: e4m3fn has no infinity, and S.1111.111 is NaN. */
    static void requireE4m3(TensorInfo t, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if ((bytes[i] & 0x7F) == 0x7F) throw refused(t, i, "NaN");
        }
    }

    private static CheckpointException refused(TensorInfo t, long element, String value) {
        return new CheckpointException(t.file() + ": tensor '" + t.name() + "' " + Arrays.toString(t.shape())
                + " holds " + value + " at element " + element + "; the file is damaged or was saved from a diverged"
                + " run: refusing to load it (retrain, or load an earlier checkpoint)");
    }
}
