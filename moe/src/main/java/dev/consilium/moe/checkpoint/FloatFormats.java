package dev.consilium.moe.checkpoint;

/**
 * Conversions between float and the narrow formats checkpoints store: bfloat16, IEEE half, and the FP8
 * e4m3 "fn" format DeepSeek-V3 ships its weights in (PyTorch's {@code float8_e4m3fn}).
 */
public final class FloatFormats {
    private FloatFormats() {}

    /** Every e4m3 byte decoded once; a lookup is cheaper than the bit arithmetic per weight. */
    private static final float[] E4M3 = new float[256];

    static {
        for (int b = 0; b < 256; b++) E4M3[b] = decodeE4m3(b);
    }

    /** bfloat16 is the top half of a float, so widening is exact. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Rounds to the nearest bfloat16, ties to even, as PyTorch does; a NaN becomes the canonical quiet NaN
     * 0x7FC0 (rounding its bits could otherwise carry it into an infinity).
     */
    public static short floatToBf16(float f) {
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int bits = Float.floatToRawIntBits(f);
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static float e4m3ToFloat(byte bits) {
        return E4M3[bits & 0xFF];
    }

    /**
     * Rounds to the nearest e4m3 ("fn"), ties to even. Magnitudes past the largest finite value saturate to
     * +-448 rather than become NaN as a PyTorch cast would: quantizing divides by a block's scale first, so
     * only float rounding of that quotient lands there. NaN becomes 0x7F.
     */
    public static byte floatToE4m3(float f) {
        if (Float.isNaN(f)) return 0x7F;
        int sign = Float.floatToRawIntBits(f) >>> 31 << 7;
        float a = Math.abs(f);
        if (a >= 464f) return (byte) (sign | 0x7E); // 464 is the midpoint of 448 and the NaN slot's 480; ties go even, to 448
        if (a < 0x1p-6f) return (byte) (sign | (int) Math.rint(a * 0x1p9f)); // subnormal steps of 2^-9; 8 is 2^-6, code 0x08
        int e = Math.getExponent(a);
        int m = (int) Math.rint(Math.scalb(a, 3 - e)) - 8; // 0..8; 8 carries into the exponent, which the sum does
        return (byte) (sign | ((e + 7) << 3) + m);
    }

    /**
     * 1 sign, 4 exponent (bias 7), 3 mantissa bits. The "fn" variant has no infinities: exponent 15 holds
     * normal numbers up to 448, and only S.1111.111 (0x7F, 0xFF) is NaN. Exponent 0 is subnormal: m/8 * 2^-6.
     */
    private static float decodeE4m3(int b) {
        int sign = b >>> 7, exp = (b >>> 3) & 0xF, man = b & 0x7;
        if (exp == 0xF && man == 0x7) return Float.NaN;
        float magnitude = exp == 0 ? man * 0x1p-9f : (8 + man) * Math.scalb(1f, exp - 7 - 3);
        return sign == 1 ? -magnitude : magnitude;
    }
}
