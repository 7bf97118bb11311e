package dev.consilium.runtime.seam;

import dev.consilium.runtime.loop.RolloutExecutor;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The seam in the driver's JVM, the loop's default: the spec's worker built once per call (from the driver's
 * live objects: a policy spec wraps the model as it is, nothing is serialised) and the units run on a
 * {@link RolloutExecutor}'s threads, so a call is one {@code runAll} of it. Results from Spark are compared
 * against this.
 */
public final class InProcessUnitExecutor implements UnitExecutor {
    private final int slots;
    private final RolloutExecutor threads;

    /** Virtual threads, at most {@code slots} units at once. */
    public InProcessUnitExecutor(int slots) {
        this(RolloutExecutor.inProcess(slots), slots);
    }

    /** Units run on {@code threads}, which runs at most {@code slots} at once. */
    public InProcessUnitExecutor(RolloutExecutor threads, int slots) {
        this.slots = slots;
        this.threads = threads;
    }

    @Override
    public <W, P extends Serializable, R extends Serializable> Map<String, R> runAll(
            WorkerSpec<W> spec, SecretEnv secrets, List<WorkUnit<P>> units, UnitFunction<W, P, R> fn) {
        WorkUnit.requireDistinctIds(units);
        W worker = spec.build(secrets);
        try {
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
        } finally {
            WorkerCache.close(worker);
        }
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public boolean remote() {
        return false;
    }
}
