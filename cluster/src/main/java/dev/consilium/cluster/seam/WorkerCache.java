package dev.consilium.cluster.seam;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workers this JVM has built, one per distinct {@link WorkerSpec}: an executor builds its judge (or loads a
 * checkpoint) for the first task that needs it and every later task of any job reuses it. Specs no longer
 * wanted are evicted by {@link #retainOnly}, so a long run holds one policy per live checkpoint, not one per
 * round.
 */
public final class WorkerCache {

    private static final Map<WorkerSpec<?>, Object> WORKERS = new ConcurrentHashMap<>();
    private static final Map<WorkerSpec<?>, Integer> BUILDS = new ConcurrentHashMap<>();

    private WorkerCache() {}

    @SuppressWarnings("unchecked")
    public static <W> W get(WorkerSpec<W> spec, SecretEnv secrets) {
        return (W) WORKERS.computeIfAbsent(spec, s -> {
            BUILDS.merge(s, 1, Integer::sum);
            return s.build(secrets);
        });
    }

    /** How often this JVM built {@code spec}'s worker: 1 once it is built, whatever the number of tasks. */
    public static int builds(WorkerSpec<?> spec) {
        return BUILDS.getOrDefault(spec, 0);
    }

    /** Drops every worker whose spec is not {@code keep}, e.g. the previous round's checkpoint. */
    public static void retainOnly(WorkerSpec<?> keep) {
        WORKERS.keySet().removeIf(s -> !s.equals(keep));
    }
}
