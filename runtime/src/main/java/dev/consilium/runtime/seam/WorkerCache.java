package dev.consilium.runtime.seam;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workers an executor JVM has built, one per distinct {@link WorkerSpec}: it builds its judge (or loads a
 * checkpoint) for the first task that needs it and every later task of any job reuses it. A spec that
 * {@linkplain WorkerSpec#supersedes supersedes} others evicts (and closes) their workers when it is built, so a
 * long run holds one policy per live checkpoint, not one per round. The driver's in-process executor does not
 * use it: it builds the worker per call from the live objects, which cost nothing to wrap.
 */
public final class WorkerCache {

    private static final Map<WorkerSpec<?>, Object> WORKERS = new ConcurrentHashMap<>();
    private static final Map<WorkerSpec<?>, Integer> BUILDS = new ConcurrentHashMap<>();

    private WorkerCache() {}

    @SuppressWarnings("unchecked")
    public static <W> W get(WorkerSpec<W> spec, SecretEnv secrets) {
        Object found = WORKERS.get(spec);
        if (found != null) return (W) found;
        synchronized (WorkerCache.class) {
            found = WORKERS.get(spec);
            if (found != null) return (W) found;
            List<WorkerSpec<?>> stale = new ArrayList<>();
            for (WorkerSpec<?> s : WORKERS.keySet()) if (spec.supersedes(s)) stale.add(s);
            for (WorkerSpec<?> s : stale) close(WORKERS.remove(s));
            W built = spec.build(secrets);
            BUILDS.merge(spec, 1, Integer::sum);
            WORKERS.put(spec, built);
            return built;
        }
    }

    /** How often this JVM built {@code spec}'s worker: 1 once it is built, whatever the number of tasks. */
    public static int builds(WorkerSpec<?> spec) {
        return BUILDS.getOrDefault(spec, 0);
    }

    /** Drops (and closes) every worker whose spec is not {@code keep}. */
    public static synchronized void retainOnly(WorkerSpec<?> keep) {
        for (WorkerSpec<?> s : List.copyOf(WORKERS.keySet())) if (!s.equals(keep)) close(WORKERS.remove(s));
    }

    static void close(Object worker) {
        if (worker instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a worker failed: " + e.getMessage(), e);
            }
        }
    }
}
