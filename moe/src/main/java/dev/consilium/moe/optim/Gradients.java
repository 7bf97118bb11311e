package dev.consilium.moe.optim;

import dev.consilium.moe.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/** Operations on the flat gradient buffer between backward and the optimizer step. */
public final class Gradients {
    private Gradients() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** The norm sums fixed blocks in a fixed order, so it does not depend on the thread count. */
    private static final int BLOCK = 1 << 16;
    /** Float lanes accumulate this many elements before handing the partial sum to a double. */
    private static final int SUB = 1 << 10;
    private static final int GRAIN = 1 << 15;

    /** The L2 norm of all gradients, accumulated in double. */
    public static double globalNorm(float[] grads) {
        int blocks = (grads.length + BLOCK - 1) / BLOCK;
        double[] partial = new double[blocks];
        Parallel.forEach(blocks, 1, b -> partial[b] = sumOfSquares(grads, b * BLOCK, Math.min(grads.length, (b + 1) * BLOCK)));
        double total = 0;
        for (double p : partial) total += p;
        return Math.sqrt(total);
    }

    /**
     * Scales the gradients so their global norm is at most {@code maxNorm}, as PyTorch's
     * {@code clip_grad_norm_}: by {@code maxNorm / (norm + 1e-6)} when that is below 1. Returns the norm before
     * clipping. A non-finite norm leaves the gradients untouched; the caller should skip that step.
     */
    public static double clipGlobalNorm(float[] grads, float maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be positive, was " + maxNorm);
        double norm = globalNorm(grads);
        if (!Double.isFinite(norm)) return norm;
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) scale(grads, (float) coef);
        return norm;
    }

    /** grads *= factor. With a loss summed over tokens, {@code 1f / tokens} turns the sum into a mean. */
    public static void scale(float[] grads, float factor) {
        Parallel.forRange(grads.length, GRAIN, (from, to) -> {
            int i = from, upper = from + S.loopBound(to - from);
            for (; i < upper; i += S.length()) FloatVector.fromArray(S, grads, i).mul(factor).intoArray(grads, i);
            for (; i < to; i++) grads[i] = grads[i] * factor;
        });
    }

    /**
     * Turns gradients summed over {@code microSteps} accumulation steps into their mean: the update then
     * matches one step on the whole batch when each micro-batch's loss was a mean over equally many tokens.
     */
    public static void average(float[] grads, int microSteps) {
        if (microSteps < 1) throw new IllegalArgumentException("microSteps must be >= 1, was " + microSteps);
        if (microSteps > 1) scale(grads, 1f / microSteps);
    }

    /** Clears the buffer before the first micro-step of an accumulation. */
    public static void zero(float[] grads) {
        Arrays.fill(grads, 0f);
    }

    private static double sumOfSquares(float[] g, int from, int to) {
        double total = 0;
        float[] lanes = new float[S.length()];
        for (int s = from; s < to; s += SUB) {
            int e = Math.min(to, s + SUB);
            FloatVector acc = FloatVector.zero(S);
            int i = s, upper = s + S.loopBound(e - s);
            for (; i < upper; i += S.length()) {
                FloatVector x = FloatVector.fromArray(S, g, i);
                acc = acc.add(x.mul(x));
            }
            acc.intoArray(lanes, 0);
            for (float l : lanes) total += l;
            for (; i < e; i++) total += (double) g[i] * g[i];
        }
        return total;
    }
}
