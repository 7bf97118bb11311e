package dev.consilium.cluster.seam;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The seam's reference implementation in the driver's JVM: the same spec, units and function as on Spark, on
 * virtual threads, at most {@code slots} at once. Results from Spark are compared against this.
 */
public final class InProcessUnitExecutor implements UnitExecutor {
    private final int slots;

    public InProcessUnitExecutor(int slots) {
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, was " + slots);
        this.slots = slots;
    }

    @Override
    public <W, P extends Serializable, R extends Serializable> Map<String, R> runAll(
            WorkerSpec<W> spec, SecretEnv secrets, List<WorkUnit<P>> units, UnitFunction<W, P, R> fn) {
        WorkUnit.requireDistinctIds(units);
        W worker = WorkerCache.get(spec, secrets);
        Semaphore permits = new Semaphore(slots);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<R>> futures = new ArrayList<>(units.size());
            for (WorkUnit<P> u : units) {
                futures.add(pool.submit(() -> {
                    permits.acquire();
                    try {
                        return fn.apply(worker, u);
                    } finally {
                        permits.release();
                    }
                }));
            }
            Map<String, R> out = new LinkedHashMap<>();
            for (int i = 0; i < units.size(); i++) {
                try {
                    out.put(units.get(i).id(), futures.get(i).get());
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    throw new IllegalStateException("unit " + units.get(i).id() + " failed: " + e.getCause(), e.getCause());
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running units", e);
        }
    }

    @Override
    public int slots() {
        return slots;
    }
}
