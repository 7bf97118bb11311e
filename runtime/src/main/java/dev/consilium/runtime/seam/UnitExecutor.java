package dev.consilium.runtime.seam;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The serialisable seam the loop's rollouts and judgments go through once they leave the driver's JVM: a
 * worker spec built once per JVM, units that describe the work, and a function applying one to the other.
 * The loop's rollouts and held-out answers go through it ({@link InProcessUnitExecutor} by default); {@code
 * RolloutExecutor}'s closures remain for work that stays in the driver's JVM.
 * <p>
 * Contract: the result holds exactly one entry per unit id, in the order of {@code units}, however often the
 * engine ran a unit; a unit that fails on every attempt fails the call, naming the unit.
 */
public interface UnitExecutor extends AutoCloseable {

    <W, P extends Serializable, R extends Serializable> Map<String, R> runAll(
            WorkerSpec<W> spec, SecretEnv secrets, List<WorkUnit<P>> units, UnitFunction<W, P, R> fn);

    /** Worker slots that run units at once: the parallelism a caller can count on. */
    int slots();

    /**
     * Whether units leave the driver's JVM, so that the spec, units and results are serialised: a policy spec then
     * ships its checkpoint's bytes and must name its workflow by registry name. True unless an executor says not.
     */
    default boolean remote() {
        return true;
    }

    @Override
    default void close() {}
}
