package dev.consilium.cluster.seam;

import dev.consilium.runtime.loop.RolloutExecutor;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The seam's reference implementation in the driver's JVM: the same spec, units and function as on Spark, run by
 * the loop's own in-process executor (virtual threads, at most {@code slots} at once). Results from Spark are
 * compared against this.
 */
public final class InProcessUnitExecutor implements UnitExecutor {
    private final int slots;
    private final RolloutExecutor threads;

    public InProcessUnitExecutor(int slots) {
        this.slots = slots;
        this.threads = RolloutExecutor.inProcess(slots);
    }

    @Override
    public <W, P extends Serializable, R extends Serializable> Map<String, R> runAll(
            WorkerSpec<W> spec, SecretEnv secrets, List<WorkUnit<P>> units, UnitFunction<W, P, R> fn) {
        WorkUnit.requireDistinctIds(units);
        W worker = WorkerCache.get(spec, secrets);
        List<Callable<R>> calls = units.stream().<Callable<R>>map(u -> () -> {
            try {
                return fn.apply(worker, u);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("unit " + u.id() + " failed: " + e.getMessage(), e);
            }
        }).toList();
        List<R> results = threads.runAll(calls);
        Map<String, R> out = new LinkedHashMap<>();
        for (int i = 0; i < units.size(); i++) out.put(units.get(i).id(), results.get(i));
        return out;
    }

    @Override
    public int slots() {
        return slots;
    }
}
