package dev.consilium.moe.prefixcache;

import java.util.SplittableRandom;

/** Stand-in for a model's rows: row p is a function of tokens[0..p] only, as a causal model's latents are. */
final class Latents {
    private Latents() {}

    /** (length, width): arbitrary float bit patterns (no NaN), so a round trip must be bit-exact to pass. */
    static float[] of(int[] tokens, int length, int width) {
        float[] rows = new float[length * width];
        long prefix = 17;
        for (int p = 0; p < length; p++) {
            prefix = prefix * 1_000_003 + tokens[p];
            SplittableRandom random = new SplittableRandom(prefix);
            for (int c = 0; c < width; c++) {
                float v;
                do v = Float.intBitsToFloat(random.nextInt()); while (Float.isNaN(v));
                rows[p * width + c] = v;
            }
        }
        return rows;
    }

    static int[] tokens(int seed, int length) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] t = new int[length];
        for (int i = 0; i < length; i++) t[i] = random.nextInt(50_000);
        return t;
    }

    /** The rows a match served, copied out. */
    static float[] served(PrefixCache.Match m, int width) {
        float[] dst = new float[m.tokens() * width];
        m.copyRows(dst, 0);
        return dst;
    }
}
