package dev.consilium.moe.optim;

/**
 * Linear warmup from {@code maxLr/warmupSteps} to {@code maxLr} over {@code warmupSteps}, then cosine decay to
 * {@code maxLr * minLrRatio} at {@code totalSteps}, flat after. Steps count from 0.
 */
public record LrSchedule(float maxLr, long warmupSteps, long totalSteps, float minLrRatio) {

    public LrSchedule {
        if (!(maxLr >= 0) || Float.isInfinite(maxLr)) throw new IllegalArgumentException("maxLr must be finite and >= 0, was " + maxLr);
        if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, was " + warmupSteps);
        if (totalSteps < warmupSteps) {
            throw new IllegalArgumentException("totalSteps (" + totalSteps + ") must be >= warmupSteps (" + warmupSteps + ")");
        }
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) throw new IllegalArgumentException("minLrRatio must lie in [0, 1], was " + minLrRatio);
    }

    public static LrSchedule constant(float lr) {
        return new LrSchedule(lr, 0, 0, 1f);
    }

    public float at(long step) {
        if (step < 0) throw new IllegalArgumentException("negative step " + step);
        // (step + 1) so the first update already moves; step 0 at lr 0 would waste a batch.
        if (step < warmupSteps) return (float) ((double) maxLr * (step + 1) / warmupSteps);
        double min = (double) maxLr * minLrRatio;
        if (step >= totalSteps) return (float) min;
        double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return (float) (min + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - min));
    }
}
