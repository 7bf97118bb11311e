package dev.consilium.runtime.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Every random choice of a run as a function of its seed, the round and a position: which tasks a round
 * samples, each rollout's sampling seed, each held-out sample's. A replayed round so draws exactly what it drew
 * the first time, which is what lets a resumed run end as an uninterrupted one would.
 */
record Seeds(long seed) {

    /** {@code n} distinct tasks of {@code pool} for round {@code round}. */
    <T> List<T> sample(List<T> pool, int n, int round) {
        Random rng = new Random(seed * 1_000_003L + round);
        List<T> left = new ArrayList<>(pool);
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n && !left.isEmpty(); i++) out.add(left.remove(rng.nextInt(left.size())));
        return out;
    }

    /** Rollout {@code i} of the round's task {@code task}; a rollout's calls use this seed, +1, ... (16 apart). */
    long rollout(int round, int task, int i) {
        return ((seed * 31 + round) * 1_000_003L + task) * 1_009L + i * 16L;
    }

    /** Held-out task {@code task}'s sample {@code sample}: the same in every round, so rounds compare alike. */
    long eval(int task, int sample) {
        return ((seed * 31 + 7_777) * 1_000_003L + task) * 1_009L + sample * 16L;
    }
}
