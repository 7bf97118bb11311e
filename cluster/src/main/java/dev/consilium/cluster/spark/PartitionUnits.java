package dev.consilium.cluster.spark;

import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.WorkUnit;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskContext$;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * One Spark task's units, at most {@code inFlight} at once on virtual threads, results in the units' order: the
 * executor's count, not the scheduling of one task per unit, then bounds how many judge calls wait at once.
 */
final class PartitionUnits {

    private PartitionUnits() {}

    static <W, P extends Serializable, R extends Serializable> List<Tuple2<String, R>> run(
            W worker, List<WorkUnit<P>> units, UnitFunction<W, P, R> fn, int inFlight) throws Exception {
        List<Tuple2<String, R>> out = new ArrayList<>(units.size());
        if (inFlight == 1 || units.size() <= 1) {
            for (WorkUnit<P> u : units) out.add(new Tuple2<>(u.id(), fn.apply(worker, u)));
            return out;
        }
        Semaphore permits = new Semaphore(inFlight);
        TaskContext task = TaskContext.get();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<R>> futures = new ArrayList<>(units.size());
            for (WorkUnit<P> u : units) {
                futures.add(threads.submit(() -> {
                    // Spark keeps the task's context per thread; a unit on a thread of its own sees it too
                    if (task != null) TaskContext$.MODULE$.setTaskContext(task);
                    permits.acquire();
                    try {
                        return fn.apply(worker, u);
                    } finally {
                        permits.release();
                    }
                }));
            }
            for (int i = 0; i < units.size(); i++) {
                try {
                    out.add(new Tuple2<>(units.get(i).id(), futures.get(i).get()));
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
                }
            }
        }
        return out;
    }
}
