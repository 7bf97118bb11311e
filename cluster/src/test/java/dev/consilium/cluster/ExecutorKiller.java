package dev.consilium.cluster;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kills, with {@code kill -9} by its own process id, the executor JVM that starts the first task of the second job
 * it sees (round 1's rollouts, after round 0's held-out answers), while that task runs; counts the tasks that
 * ended failed, which Spark then runs again elsewhere.
 */
final class ExecutorKiller extends SparkListener {
    private final AtomicBoolean fired = new AtomicBoolean();
    private final AtomicInteger killed = new AtomicInteger(), failed = new AtomicInteger();
    private volatile int firstJob = -1;

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
        if (firstJob < 0) firstJob = start.stageId();
        if (start.stageId() == firstJob || !fired.compareAndSet(false, true)) return;
        String executorId = start.taskInfo().executorId();
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            List<String> args = arguments(p.pid());
            int at = args.indexOf("--executor-id");
            if (at >= 0 && at + 1 < args.size() && args.get(at + 1).equals(executorId)) {
                try {
                    new ProcessBuilder("kill", "-9", Long.toString(p.pid())).start().waitFor();
                    killed.incrementAndGet();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot kill executor " + executorId, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A process's arguments from /proc: ProcessHandle.Info leaves them out of a command line as long as an executor's. */
    private static List<String> arguments(long pid) {
        try {
            return List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).split("\0"));
        } catch (IOException gone) {
            return List.of();
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) failed.incrementAndGet();
    }

    int killed() {
        return killed.get();
    }

    int failedTasks() {
        return failed.get();
    }
}
