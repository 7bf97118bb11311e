package dev.consilium.moe.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one pool for CPU kernels, sized to the cores. Work is split by index ranges whose boundaries depend
 * only on {@code n} and the grain, never on timing, so results are bit-identical for a given thread count.
 * Fork/join rather than a plain executor so a kernel may call another kernel from inside a task (experts in
 * parallel, each running a parallel matmul) without deadlocking: a joining worker runs queued work itself.
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
            POOL.invoke(new Split(body, n, chunks, 0, chunks));
        }
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
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
