package dev.consilium.runtime.loop;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * Where rollouts and judgments run: the loop hands over independent units of work and takes their results in
 * order. In-process by default ({@link #inProcess}); a distributed engine plugs in here without the loop
 * changing (see docs/ARCHITECTURE.md, "Scale-out").
 */
@FunctionalInterface
public interface RolloutExecutor {

    /** Runs every unit and returns their results in the order given; a failed unit fails the call. */
    <T> List<T> runAll(List<Callable<T>> units);

    /**
     * Virtual threads, at most {@code concurrency} at once: model calls block on I/O or on the built-in model's
     * decode loop, which batches whatever is in flight, so many concurrent rollouts make large decode batches.
     */
    static RolloutExecutor inProcess(int concurrency) {
        return new InProcessExecutor(concurrency);
    }
}
