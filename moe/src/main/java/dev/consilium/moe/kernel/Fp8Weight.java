package dev.consilium.moe.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight w (OC, C) held as DeepSeek-V3 stores it: FP8 e4m3 ("fn": no infinities) with one float
 * {@code weight_scale_inv} per 128x128 block, a quarter of the bytes of fp32. As in the reference
 * {@code weight_dequant}, {@code w[i][j] = fp8[i][j] * scale_inv[i / 128][j / 128]}, the scale tensor
 * being (ceil(OC / 128), ceil(C / 128)) so edge blocks may be partial. Each weight is decoded to that
 * product rounded to float, so outputs equal {@link Matmul#forward} on the dequantized matrix bit for bit.
 *
 * <p>Layout (see {@link NarrowWeight}): for group g and row k, one int vector at {@code codes[(g*C + k) * L]};
 * byte b of lane i holds channel b*L + i. Decoding moves a byte's sign to bit 31 and its 7 other bits to
 * bits 20..26, which as a float is the e4m3 value times 2^-120 (subnormals included, since the float is
 * then subnormal too); one multiply by {@code scale_inv * 2^120} finishes it. A group of 4L channels lies in
 * one 128-channel block and the kernel's K blocks in whole 128-column blocks, so the factor changes only
 * every 128 rows.
 */
public final class Fp8Weight extends NarrowWeight {
    public static final int BLOCK = 128;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final int SIGN_AND_BITS = 0x87F00000;
    private static final float TWO_POW_120 = 0x1p120f;

    static {
        if (BLOCK % W != 0 || Gemm.KC % BLOCK != 0) throw new AssertionError("groups or K blocks straddle scale blocks");
    }

    private final int[] codes;
    /** scale_inv * 2^120 per block, (ceil(OC / 128), ceil(C / 128)). */
    private final float[] factors;
    private final int scaleCols;

    private Fp8Weight(int[] codes, float[] factors, int C, int OC) {
        super(C, OC);
        this.codes = codes;
        this.factors = factors;
        this.scaleCols = (C + BLOCK - 1) / BLOCK;
    }

    /**
     * Packs w (OC, C): row-major e4m3 bytes from {@code off} and {@code scaleInv} (ceil(OC/128), ceil(C/128))
     * row-major from {@code scaleOff}, as a checkpoint stores them. A copy.
     *
     * @throws IllegalArgumentException for a NaN byte (0x7F, 0xFF) or a scale that is not finite or whose
     *                                  weights could exceed float's range; the message gives the position.
     */
    public static Fp8Weight pack(byte[] w, int off, float[] scaleInv, int scaleOff, int C, int OC) {
        int rowsOfBlocks = (OC + BLOCK - 1) / BLOCK, scaleCols = (C + BLOCK - 1) / BLOCK;
        float[] factors = new float[rowsOfBlocks * scaleCols];
        for (int b = 0; b < factors.length; b++) {
            float s = scaleInv[scaleOff + b];
            factors[b] = s * TWO_POW_120;
            // |s| >= 2^8 would mean weights past 114688 and a factor past float's range.
            if (!Float.isFinite(factors[b])) {
                throw new IllegalArgumentException("scale_inv[" + b / scaleCols + "][" + b % scaleCols + "] = " + s
                        + " is not a finite scale below 256 in magnitude");
            }
        }
        int[] codes = new int[groupedSize(C, OC, 4)];
        for (int oc = 0; oc < OC; oc++) {
            int g = oc / W, j = oc % W, lane = j % L, shift = j / L * 8;
            int src = off + oc * C;
            for (int k = 0; k < C; k++) {
                int b = w[src + k] & 0xFF;
                if ((b & 0x7F) == 0x7F) throw new IllegalArgumentException("NaN (0x" + Integer.toHexString(b) + ") at [" + oc + "][" + k + "]");
                codes[(g * C + k) * L + lane] |= b << shift;
            }
        }
        return new Fp8Weight(codes, factors, C, OC);
    }

    @Override
    public long bytes() {
        return 4L * codes.length + 4L * factors.length;
    }

    @Override
    void dotGroup(int g, float[] inp, int in, float[] out, int o, int n) {
        FloatVector r0 = FloatVector.zero(S), r1 = r0, r2 = r0, r3 = r0;
        int base = g * C * L, scaleRow = g * W / BLOCK * scaleCols;
        for (int k0 = 0; k0 < C; k0 += Gemm.KC) {
            int kEnd = Math.min(C, k0 + Gemm.KC);
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int kb = k0; kb < kEnd; kb += BLOCK) {
                FloatVector f = FloatVector.broadcast(S, factors[scaleRow + kb / BLOCK]);
                for (int k = kb, end = Math.min(kEnd, kb + BLOCK); k < end; k++) {
                    IntVector v = IntVector.fromArray(I, codes, base + k * L);
                    FloatVector x = FloatVector.broadcast(S, inp[in + k]);
                    a0 = byteAt(v, 24).mul(f).fma(x, a0);
                    a1 = byteAt(v, 16).mul(f).fma(x, a1);
                    a2 = byteAt(v, 8).mul(f).fma(x, a2);
                    a3 = highByte(v).mul(f).fma(x, a3);
                }
            }
            r0 = addBlock(r0, a0, k0);
            r1 = addBlock(r1, a1, k0);
            r2 = addBlock(r2, a2, k0);
            r3 = addBlock(r3, a3, k0);
        }
        store(r0, r1, r2, r3, out, o, n);
    }

    @Override
    void decode(int g, int k0, int kc, float[] tile, int at) {
        int second = at + kc * 2 * L, scaleRow = g * W / BLOCK * scaleCols;
        for (int k = 0; k < kc; k++) {
            FloatVector f = FloatVector.broadcast(S, factors[scaleRow + (k0 + k) / BLOCK]);
            IntVector v = IntVector.fromArray(I, codes, (g * C + k0 + k) * L);
            int d = k * 2 * L;
            byteAt(v, 24).mul(f).intoArray(tile, at + d);
            byteAt(v, 16).mul(f).intoArray(tile, at + d + L);
            byteAt(v, 8).mul(f).intoArray(tile, second + d);
            highByte(v).mul(f).intoArray(tile, second + d + L);
        }
    }

    /** The byte at bits 24 - up .. 31 - up of each lane, as e4m3 times 2^-120. */
    private static FloatVector byteAt(IntVector v, int up) {
        return v.lanewise(VectorOperators.LSHL, up).lanewise(VectorOperators.ASHR, 4).and(SIGN_AND_BITS).reinterpretAsFloats();
    }

    private static FloatVector highByte(IntVector v) {
        return v.lanewise(VectorOperators.ASHR, 4).and(SIGN_AND_BITS).reinterpretAsFloats();
    }
}
