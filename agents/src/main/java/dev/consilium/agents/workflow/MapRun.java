package dev.consilium.agents.workflow;

import dev.consilium.agents.RunOptions;
import dev.consilium.agents.Task;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.WorkflowException;
import dev.consilium.agents.trajectory.Trajectory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;

/**
 * One workflow over many tasks, at most {@code concurrency} runs at a time, each on a virtual thread. A failed
 * run does not stop the others: its trajectory (status {@code failed}) is handed on like any other. Immutable;
 * {@link #forEach} streams trajectories out as they finish so that memory stays flat over any number of tasks.
 * <pre>{@code
 * Workflows.map(debate, tasks).concurrency(64).onProgress(p -> bar.update(p.done())).forEach(out::append);
 * }</pre>
 */
public record MapRun(Workflow workflow, Iterable<Task> tasks, int concurrency, RunOptions options,
                     Consumer<Progress> onProgress) {

    public MapRun {
        Objects.requireNonNull(workflow, "workflow");
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(options, "options");
        if (concurrency < 1) throw new IllegalArgumentException("map: concurrency must be >= 1, got " + concurrency);
    }

    public MapRun concurrency(int n) {
        return new MapRun(workflow, tasks, n, options, onProgress);
    }

    /** The options of every run; each run has its own deadline and budget, and a given run id gets {@code /TASK-ID}. */
    public MapRun options(RunOptions runOptions) {
        return new MapRun(workflow, tasks, concurrency, runOptions, onProgress);
    }

    /** Called after each task, one call at a time. */
    public MapRun onProgress(Consumer<Progress> listener) {
        return new MapRun(workflow, tasks, concurrency, options, listener);
    }

    /**
     * Runs every task and hands each trajectory to {@code sink} as it finishes, one at a time. If the sink
     * throws, or a run ends in an {@link Error} rather than a trajectory (out of memory, a class that cannot load
     * when the process is out of file descriptors), no further task starts and the first such exception is
     * rethrown once the running ones end: every task either reaches the sink or makes this throw.
     */
    public void forEach(Consumer<Trajectory> sink) {
        drive((t, i) -> sink.accept(t));
    }

    /** Every task's trajectory, in the order of the tasks. */
    public List<Trajectory> run() {
        List<Trajectory> out = new ArrayList<>();
        drive((t, i) -> {
            while (out.size() <= i) out.add(null);
            out.set(i, t);
        });
        return List.copyOf(out);
    }

    private void drive(ObjIntConsumer<Trajectory> sink) {
        int total = tasks instanceof Collection<?> c ? c.size() : -1;
        Semaphore slots = new Semaphore(concurrency);
        Object lock = new Object();
        int[] counts = new int[2];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            int index = 0;
            for (Task task : tasks) {
                slots.acquireUninterruptibly();
                if (failure.get() != null) break;
                int i = index++;
                pool.submit(() -> {
                    try {
                        Trajectory t = runOne(task);
                        synchronized (lock) {
                            counts[0]++;
                            if (!t.completed()) counts[1]++;
                            sink.accept(t, i);
                            if (onProgress != null) onProgress.accept(new Progress(counts[0], counts[1], total));
                        }
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        if (failure.get() instanceof Error e) throw e;
        if (failure.get() != null) throw (RuntimeException) failure.get();
    }

    private Trajectory runOne(Task task) {
        try {
            RunOptions o = options.runId() == null ? options
                    : options.toBuilder().runId(options.runId() + "/" + task.id()).build();
            return workflow.run(task, o);
        } catch (WorkflowException e) {
            return e.trajectory();
        }
    }
}
