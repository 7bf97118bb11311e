package dev.consilium.moe.kernel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The one pool for CPU kernels, sized to the cores. Work is split by index ranges whose boundaries depend
 * only on {@code n} and the grain, never on timing, so results are bit-identical for a given thread count.
 * Fork/join rather than a plain executor so a kernel may call another kernel from inside a task (experts in
 * parallel, each running a parallel matmul) without deadlocking: a joining worker runs queued work itself.
 * A caller from outside the pool works on its own call's chunks beside the workers rather than hand the
 * whole call over and wait: waking a parked worker costs tens of microseconds, as long as a small matmul.
 */
public final class Parallel {
    private static final int THREADS = Integer.getInteger("consilium.threads",
            Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS,
            pool -> {
                var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("consilium-kernel-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);

    private Parallel() {}

    public static int threads() {
        return THREADS;
    }

    /** Runs body(i) for i in [0, n), in chunks of at least {@code grain} indices. */
    public static void forEach(int n, int grain, IntConsumer body) {
        forRange(n, grain, (from, to) -> {
            for (int i = from; i < to; i++) body.accept(i);
        });
    }

    /** Runs body(from, to) over disjoint ranges covering [0, n), each at least {@code grain} long. */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        if (THREADS == 1 || n <= g) {
            body.run(0, n);
            return;
        }
        // About four chunks per thread balances uneven work without drowning in task overhead.
        int chunks = Math.min((n + g - 1) / g, THREADS * 4);
        if (Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL) {
            new Split(body, n, chunks, 0, chunks).invoke();
        } else {
            new Claims(body, n, chunks).run();
        }
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Chunks taken one at a time, in any order, by the calling thread and by up to THREADS - 1 workers,
     * so the caller starts at once and the threads at work never outnumber the cores. Which thread runs a
     * chunk never changes the chunk's bounds, so results stay deterministic.
     */
    private static final class Claims {
        /** How long the caller spins for chunks still running elsewhere before it parks. */
        private static final long SPIN_NANOS = 50_000;

        private final RangeBody body;
        private final int n, chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done;
        private volatile Throwable failure;

        Claims(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.done = new CountDownLatch(chunks);
        }

        void run() {
            for (int i = Math.min(THREADS, chunks) - 1; i > 0; i--) POOL.execute(this::work);
            work();
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (done.getCount() > 0 && System.nanoTime() < deadline) Thread.onSpinWait();
            boolean interrupted = false;
            while (done.getCount() > 0) {
                try {
                    done.await();
                } catch (InterruptedException e) {
                    interrupted = true; // the chunks are running on other threads; they must finish first
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            Throwable f = failure;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
        }

        private void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure == null) body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.countDown();
                }
            }
        }
    }

    private static final class Split extends RecursiveAction {
        private final RangeBody body;
        private final int n, chunks, lo, hi;

        Split(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = (int) ((long) n * lo / chunks);
                int to = (int) ((long) n * hi / chunks);
                body.run(from, to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Split(body, n, chunks, lo, mid), new Split(body, n, chunks, mid, hi));
        }
    }
}
