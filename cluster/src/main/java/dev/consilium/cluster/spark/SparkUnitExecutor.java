package dev.consilium.cluster.spark;

import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;
import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.WorkUnit;
import dev.consilium.runtime.seam.WorkerCache;
import dev.consilium.runtime.seam.WorkerSpec;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link UnitExecutor} on Apache Spark: each call is one Spark job. The worker spec and the secrets are
 * broadcast once per call (a checkpoint's bytes would ride in the spec), each unit is one task, and each
 * executor JVM builds the spec's worker for its first task and reuses it ({@link WorkerCache}).
 * <p>
 * Exactly once: Spark accepts one successful result per task, whichever attempt gave it, so a task re-run after
 * its executor died yields one result, not two; the driver keys results by unit id and refuses any mismatch.
 */
public final class SparkUnitExecutor implements UnitExecutor {

    /** Tasks per worker slot by default: enough to even out unequal units, few enough to amortise a task's cost. */
    public static final int DEFAULT_TASKS_PER_SLOT = 2;
    /**
     * Units of one task in flight at once by default, on virtual threads: a judge call waits on the network and a
     * built-in policy batches the decoding of whatever is in flight, so a slot does more than one unit at a time.
     */
    public static final int DEFAULT_UNITS_IN_FLIGHT = 16;

    private final JavaSparkContext spark;
    private final int tasksPerSlot;
    private final int unitsInFlight;

    /**
     * Units are grouped into at most {@code tasksPerSlot} tasks per slot: a Spark task costs milliseconds of
     * scheduling and serialisation (hundreds on a loaded machine), a unit may cost less than that, so one task per
     * unit would spend the cluster on overhead. A lost task re-runs only its own units.
     */
    public SparkUnitExecutor(JavaSparkContext spark, int tasksPerSlot, int unitsInFlight) {
        if (tasksPerSlot < 1) throw new IllegalArgumentException("tasksPerSlot must be >= 1, was " + tasksPerSlot);
        if (unitsInFlight < 1) throw new IllegalArgumentException("unitsInFlight must be >= 1, was " + unitsInFlight);
        this.spark = spark;
        this.tasksPerSlot = tasksPerSlot;
        this.unitsInFlight = unitsInFlight;
    }

    /** A context for {@code conf}, which {@link #close} stops. */
    public static SparkUnitExecutor start(SparkConf conf) {
        return new SparkUnitExecutor(new JavaSparkContext(conf), DEFAULT_TASKS_PER_SLOT, DEFAULT_UNITS_IN_FLIGHT);
    }

    /** The same context, units split into at most {@code tasksPerSlot} tasks per slot. */
    public SparkUnitExecutor withTasksPerSlot(int tasksPerSlot) {
        return new SparkUnitExecutor(spark, tasksPerSlot, unitsInFlight);
    }

    /** The same context, at most {@code unitsInFlight} units of a task running at once. */
    public SparkUnitExecutor withUnitsInFlight(int unitsInFlight) {
        return new SparkUnitExecutor(spark, tasksPerSlot, unitsInFlight);
    }

    public JavaSparkContext context() {
        return spark;
    }

    @Override
    public <W, P extends Serializable, R extends Serializable> Map<String, R> runAll(
            WorkerSpec<W> spec, SecretEnv secrets, List<WorkUnit<P>> units, UnitFunction<W, P, R> fn) {
        WorkUnit.requireDistinctIds(units);
        if (units.isEmpty()) return Map.of();
        Broadcast<Shipment<W>> shipment = spark.broadcast(new Shipment<>(spec, secrets));
        try {
            int tasks = (int) Math.min(units.size(), (long) slots() * tasksPerSlot);
            int inFlight = unitsInFlight;
            List<Tuple2<String, R>> results = spark.parallelize(units, tasks)
                    .mapPartitions(it -> {
                        Shipment<W> s = shipment.value();
                        W worker = WorkerCache.get(s.spec(), s.secrets());
                        List<WorkUnit<P>> mine = new ArrayList<>();
                        it.forEachRemaining(mine::add);
                        return PartitionUnits.run(worker, mine, fn, inFlight).iterator();
                    })
                    .collect();
            return keyed(units, results);
        } finally {
            shipment.destroy();
        }
    }

    /** Results in the units' order; a missing or repeated id means the engine broke its contract, so say which. */
    static <R> Map<String, R> keyed(List<? extends WorkUnit<?>> units, List<Tuple2<String, R>> results) {
        Map<String, R> byId = new LinkedHashMap<>();
        for (Tuple2<String, R> r : results) {
            if (byId.put(r._1(), r._2()) != null) throw new IllegalStateException("unit " + r._1() + " returned twice");
        }
        Map<String, R> out = new LinkedHashMap<>();
        for (WorkUnit<?> u : units) {
            if (!byId.containsKey(u.id())) throw new IllegalStateException("unit " + u.id() + " returned no result");
            out.put(u.id(), byId.get(u.id()));
        }
        return out;
    }

    /**
     * Waits until {@code executors} executors have registered (they start asynchronously, and one that died is
     * replaced), so that a measurement or a test sees the cluster it asked for.
     */
    public void awaitExecutors(int executors, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        // the status tracker lists the driver beside the executors
        while (spark.sc().statusTracker().getExecutorInfos().length < executors + 1) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException(executors + " executors did not register within " + timeout.toSeconds()
                        + " s; only " + (spark.sc().statusTracker().getExecutorInfos().length - 1) + " did (see the worker logs under "
                        + "SPARK_HOME/work)");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors", e);
            }
        }
    }

    /** How many attempts the task running this code is on, 0 for the first; -1 outside a Spark task. */
    public static int attempt() {
        TaskContext t = TaskContext.get();
        return t == null ? -1 : t.attemptNumber();
    }

    @Override
    public int slots() {
        return Math.max(1, spark.sc().defaultParallelism());
    }

    /** Stops the context, which every executor made by {@link #withTasksPerSlot} shares. */
    @Override
    public void close() {
        spark.stop();
    }

    /** The spec and secrets together, so one broadcast carries both. */
    record Shipment<W>(WorkerSpec<W> spec, SecretEnv secrets) implements Serializable {}
}
