package dev.consilium.runtime.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** {@link RolloutExecutor#inProcess}: virtual threads behind a semaphore. */
final class InProcessExecutor implements RolloutExecutor {
    private final int concurrency;

    InProcessExecutor(int concurrency) {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        this.concurrency = concurrency;
    }

    @Override
    public <T> List<T> runAll(List<Callable<T>> units) {
        Semaphore permits = new Semaphore(concurrency);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>(units.size());
            for (Callable<T> u : units) {
                futures.add(pool.submit(() -> {
                    permits.acquire();
                    try {
                        return u.call();
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<T> out = new ArrayList<>(units.size());
            for (Future<T> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    futures.forEach(x -> x.cancel(true));
                    Throwable c = e.getCause();
                    throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running rollouts", e);
        }
    }
}
