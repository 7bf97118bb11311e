package dev.consilium.moe.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector exp() and lane sum whose results are the same in the interpreter, C1 and C2. The Vector API's
 * {@code lanewise(EXP)} and {@code reduceLanes(ADD)} are not: C2 uses an exp intrinsic whose last bit
 * differs from the Java fallback, and may add the lanes in another order, which made a training step's
 * bits depend on when the JIT got to a kernel. These use only IEEE-exact operations in a fixed order.
 */
public final class VecMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Pairwise sum steps: lane i adds lane i + half, then i + half/2, ... down to 1. */
    private static final VectorShuffle<Float>[] FOLD = folds();

    private VecMath() {}

    @SuppressWarnings({"unchecked", "rawtypes"}) // an array of a generic type
    private static VectorShuffle<Float>[] folds() {
        int n = Integer.numberOfTrailingZeros(S.length());
        VectorShuffle<Float>[] f = new VectorShuffle[n];
        for (int k = 0, half = S.length() / 2; half >= 1; k++, half /= 2) {
            int h = half;
            f[k] = VectorShuffle.fromOp(S, i -> (i + h) % S.length());
        }
        return f;
    }

    /** The sum of the lanes as a fixed pairwise tree. v must be of SPECIES_PREFERRED. */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> f : FOLD) v = v.add(v.rearrange(f));
        return v.lane(0);
    }

    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split so n * LN2_HI is exact for the |n| <= 127 used here
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final float MAX_ARG = 88f, MIN_ARG = -87.3f;

    /**
     * e^x with a relative error of a few ulp. Below -87.3 the result is exactly 0 (so -inf masks to zero
     * probability); above 88 it saturates at e^88. NaN stays NaN. x must be of SPECIES_PREFERRED.
     */
    public static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, MIN_ARG);
        FloatVector c = x.max(MIN_ARG).min(MAX_ARG);
        // c = n ln2 + r with n = round(c / ln2), |r| <= ln2 / 2
        FloatVector m = c.mul(LOG2E).add(ROUND);
        FloatVector n = m.sub(ROUND);
        FloatVector r = n.fma(k(-LN2_HI), c);
        r = n.fma(k(-LN2_LO), r);
        // e^r by its Taylor series to r^7/7!: the first omitted term is below 2^-24 relative for |r| <= ln2/2
        FloatVector p = k(1f / 5040f);
        p = p.fma(r, k(1f / 720f));
        p = p.fma(r, k(1f / 120f));
        p = p.fma(r, k(1f / 24f));
        p = p.fma(r, k(1f / 6f));
        p = p.fma(r, k(0.5f));
        p = p.fma(r, k(1f));
        p = p.fma(r, k(1f));
        // 2^n: the low mantissa bits of m hold n; (n + 127) << 23 is its float bit pattern
        FloatVector pow2 = m.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(pow2).blend(0f, under);
    }

    private static FloatVector k(float v) {
        return FloatVector.broadcast(S, v);
    }
}
