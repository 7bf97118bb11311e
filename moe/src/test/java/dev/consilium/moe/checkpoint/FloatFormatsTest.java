package dev.consilium.moe.checkpoint;

import org.junit.jupiter.api.Test;

import static dev.consilium.moe.checkpoint.FloatFormats.bf16ToFloat;
import static dev.consilium.moe.checkpoint.FloatFormats.e4m3ToFloat;
import static dev.consilium.moe.checkpoint.FloatFormats.f16ToFloat;
import static dev.consilium.moe.checkpoint.FloatFormats.floatToBf16;
import static dev.consilium.moe.checkpoint.FloatFormats.floatToE4m3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed values; the exhaustive comparison with ml_dtypes is in SafetensorsReaderTest. */
class FloatFormatsTest {

    @Test
    void bf16WidensByShiftingIntoTheTopHalf() {
        assertEquals(1.0f, bf16ToFloat((short) 0x3F80));
        assertEquals(-2.0f, bf16ToFloat((short) 0xC000));
        assertEquals(3.140625f, bf16ToFloat((short) 0x4049)); // 1.5703125 * 2
        assertEquals(0x1p-133f, bf16ToFloat((short) 0x0001)); // smallest subnormal: 2^-149 << 16
        assertEquals(Float.POSITIVE_INFINITY, bf16ToFloat((short) 0x7F80));
        assertTrue(Float.isNaN(bf16ToFloat((short) 0x7FC0)));
    }

    @Test
    void bf16RoundsToNearestAndTiesToEven() {
        assertEquals((short) 0x3F80, floatToBf16(1.0f));
        assertEquals((short) 0x4049, floatToBf16((float) Math.PI)); // 0x40490FDB: low half below 0x8000
        assertEquals((short) 0x3F80, floatToBf16(Float.intBitsToFloat(0x3F808000))); // tie, 0x3F80 even
        assertEquals((short) 0x3F82, floatToBf16(Float.intBitsToFloat(0x3F818000))); // tie, 0x3F82 even
        assertEquals((short) 0x3F81, floatToBf16(Float.intBitsToFloat(0x3F808001))); // just above the tie
        assertEquals((short) 0xBF80, floatToBf16(Float.intBitsToFloat(0xBF808000))); // sign does not matter
        assertEquals((short) 0x7F80, floatToBf16(Float.MAX_VALUE)); // rounds up into infinity, as PyTorch
        assertEquals((short) 0xFF80, floatToBf16(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x7FC0, floatToBf16(Float.NaN));
        assertEquals((short) 0x7FC0, floatToBf16(Float.intBitsToFloat(0x7FFFFFFF))); // not carried into 0x8000
    }

    @Test
    void f16DecodesIeeeHalf() {
        assertEquals(1.0f, f16ToFloat((short) 0x3C00));
        assertEquals(65504f, f16ToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, f16ToFloat((short) 0x0001));
        assertEquals(-0.5f, f16ToFloat((short) 0xB800));
    }

    @Test
    void e4m3HasBias7SubnormalsAndNoInfinity() {
        assertEquals(0f, e4m3ToFloat((byte) 0x00));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(e4m3ToFloat((byte) 0x80)));
        assertEquals(0x1p-9f, e4m3ToFloat((byte) 0x01));      // subnormal: 1/8 * 2^-6
        assertEquals(7 * 0x1p-9f, e4m3ToFloat((byte) 0x07));  // largest subnormal
        assertEquals(0x1p-6f, e4m3ToFloat((byte) 0x08));      // smallest normal
        assertEquals(1.0f, e4m3ToFloat((byte) 0x38));         // exponent 7 = bias
        assertEquals(1.5f, e4m3ToFloat((byte) 0x3C));
        assertEquals(-3.0f, e4m3ToFloat((byte) 0xC4));        // 1.5 * 2^(8-7), negative
        assertEquals(256f, e4m3ToFloat((byte) 0x78));         // exponent 15 still holds numbers
        assertEquals(448f, e4m3ToFloat((byte) 0x7E));         // the largest: 1.75 * 2^8
        assertEquals(-448f, e4m3ToFloat((byte) 0xFE));
        assertTrue(Float.isNaN(e4m3ToFloat((byte) 0x7F)));
        assertTrue(Float.isNaN(e4m3ToFloat((byte) 0xFF)));
    }

    @Test
    void e4m3EncodingGivesBackEveryFiniteCode() {
        for (int b = 0; b < 256; b++) {
            if ((b & 0x7F) == 0x7F) continue;
            assertEquals((byte) b, floatToE4m3(e4m3ToFloat((byte) b)), "code 0x" + Integer.toHexString(b));
        }
    }

    @Test
    void e4m3RoundsToNearestTiesToEvenAndSaturates() {
        assertEquals((byte) 0x38, floatToE4m3(1.0625f));  // midpoint of 1 (0x38) and 1.125 (0x39): even
        assertEquals((byte) 0x3A, floatToE4m3(1.1875f));  // midpoint of 1.125 (0x39) and 1.25 (0x3A): even
        assertEquals((byte) 0x39, floatToE4m3(1.07f));
        assertEquals((byte) 0x08, floatToE4m3(7.5f * 0x1p-9f)); // between the largest subnormal and 2^-6: even
        assertEquals((byte) 0x00, floatToE4m3(0x1p-10f));  // half the smallest subnormal: to zero, even
        assertEquals((byte) 0x01, floatToE4m3(0x1.8p-10f));
        assertEquals((byte) 0x7E, floatToE4m3(463f));
        assertEquals((byte) 0x7E, floatToE4m3(464f));      // the tie with the NaN slot's 480 goes to 448
        assertEquals((byte) 0xFE, floatToE4m3(-1e9f));     // saturates instead of NaN
        assertEquals((byte) 0x7F, floatToE4m3(Float.NaN));
        assertEquals((byte) 0x80, floatToE4m3(-0f));
    }
}
