package dev.consilium.cluster.spark;

import dev.consilium.cluster.seam.SecretEnv;
import dev.consilium.cluster.seam.UnitExecutor;
import dev.consilium.cluster.seam.UnitFunction;
import dev.consilium.cluster.seam.WorkUnit;
import dev.consilium.cluster.seam.WorkerCache;
import dev.consilium.cluster.seam.WorkerSpec;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.Serializable;
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

    private final JavaSparkContext spark;

    public SparkUnitExecutor(JavaSparkContext spark) {
        this.spark = spark;
    }

    /** A context for {@code conf}, which {@link #close} stops. */
    public static SparkUnitExecutor start(SparkConf conf) {
        return new SparkUnitExecutor(new JavaSparkContext(conf));
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
            List<Tuple2<String, R>> results = spark.parallelize(units, units.size())
                    .mapPartitions(it -> {
                        Shipment<W> s = shipment.value();
                        W worker = WorkerCache.get(s.spec(), s.secrets());
                        List<Tuple2<String, R>> out = new ArrayList<>();
                        while (it.hasNext()) {
                            WorkUnit<P> u = it.next();
                            out.add(new Tuple2<>(u.id(), fn.apply(worker, u)));
                        }
                        return out.iterator();
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

    /** How many attempts the task running this code is on, 0 for the first; -1 outside a Spark task. */
    public static int attempt() {
        TaskContext t = TaskContext.get();
        return t == null ? -1 : t.attemptNumber();
    }

    @Override
    public int slots() {
        return Math.max(1, spark.sc().defaultParallelism());
    }

    @Override
    public void close() {
        spark.stop();
    }

    /** The spec and secrets together, so one broadcast carries both. */
    record Shipment<W>(WorkerSpec<W> spec, SecretEnv secrets) implements Serializable {}
}
