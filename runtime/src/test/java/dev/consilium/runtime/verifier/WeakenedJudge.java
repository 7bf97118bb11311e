package dev.consilium.runtime.verifier;

import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;

import java.util.Random;

/** A trained judge made worse on purpose, for tests of what repairs one: a judge that drifted. */
public final class WeakenedJudge {
    private WeakenedJudge() {}

    /**
     * Adds to each weight Gaussian noise of {@code share} times its tensor's standard deviation (the demo judge at 0.6
     * agrees with the truth on about 0.68 of gold items; at 1.0 it writes no verdict at all).
     */
    public static void weaken(DeepSeekV3Model m, double share, long seed) {
        Random rng = new Random(seed);
        for (NamedTensor t : m.parameters()) {
            double sum = 0, sq = 0;
            for (int i = 0; i < t.size(); i++) {
                double v = t.get(i);
                sum += v;
                sq += v * v;
            }
            double mean = sum / t.size(), std = Math.sqrt(Math.max(0, sq / t.size() - mean * mean));
            for (int i = 0; i < t.size(); i++) t.data()[t.offset() + i] += (float) (share * std * rng.nextGaussian());
        }
    }
}
