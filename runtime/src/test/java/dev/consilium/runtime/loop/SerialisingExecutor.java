package dev.consilium.runtime.loop;

import dev.consilium.runtime.seam.ExecutorOptions;
import dev.consilium.runtime.seam.ExecutorProvider;
import dev.consilium.runtime.seam.InProcessUnitExecutor;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;
import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.WorkUnit;
import dev.consilium.runtime.seam.WorkerSpec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A remote executor without a cluster: the spec, the units and the function go through Java serialisation as
 * they would to a Spark executor, the spec's worker is built from what arrived (a policy from its checkpoint's
 * bytes, its workflow by name), and each result comes back through serialisation too. What Spark adds beyond
 * this (other JVMs, re-runs) the cluster module's tests cover. Offered as executor {@code "serialising"}.
 */
public final class SerialisingExecutor implements UnitExecutor, ExecutorProvider {
    static final AtomicInteger OPENED = new AtomicInteger();
    /** Judging calls that reached this executor: the judges went as recipes, not as the driver's live objects. */
    static final AtomicInteger JUDGE_PANELS = new AtomicInteger();
    private final InProcessUnitExecutor threads = new InProcessUnitExecutor(8);

    @Override
    public String name() {
        return "serialising";
    }

    @Override
    public UnitExecutor open(ExecutorOptions options) {
        OPENED.incrementAndGet();
        return new SerialisingExecutor();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <W, P extends Serializable, R extends Serializable> Map<String, R> runAll(
            WorkerSpec<W> spec, SecretEnv secrets, List<WorkUnit<P>> units, UnitFunction<W, P, R> fn) {
        if (spec instanceof JudgePanel) JUDGE_PANELS.incrementAndGet();
        WorkerSpec<W> sent = (WorkerSpec<W>) travel(spec);
        List<WorkUnit<P>> sentUnits = (List<WorkUnit<P>>) travel((Serializable) List.copyOf(units));
        UnitFunction<W, P, R> sentFn = (UnitFunction<W, P, R>) travel(fn);
        Map<String, R> out = new LinkedHashMap<>();
        threads.runAll(sent, secrets, sentUnits, sentFn).forEach((id, r) -> out.put(id, (R) travel(r)));
        return out;
    }

    static Object travel(Serializable value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return in.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send " + value.getClass().getName() + ": " + e.getMessage(), e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int slots() {
        return 8;
    }
}
