package dev.consilium.moe.kernel;

import java.util.ArrayDeque;

/**
 * Reusable float buffers for packed matrix panels, so a kernel allocates nothing in steady state.
 * A pool rather than a ThreadLocal: a fork/join worker that joins may run another matmul before the first
 * finishes, and callers may be short-lived virtual threads; a taken buffer belongs to one call until given
 * back, whatever thread runs it. Contents are garbage on take.
 */
final class BufferPool {
    // Enough for every thread to hold a shared panel and a private one at two nesting levels; beyond that
    // the pool drops buffers rather than keep memory no steady state needs.
    private static final int KEEP = 4 * Parallel.threads() + 4;
    private static final ArrayDeque<float[]> FREE = new ArrayDeque<>();

    private BufferPool() {}

    /** A buffer of at least {@code length} floats, reused where one is free. */
    static float[] take(int length) {
        synchronized (FREE) {
            // Prefer the smallest that fits so a large panel buffer is not pinned by a small request.
            float[] best = null;
            for (float[] f : FREE) {
                if (f.length >= length && (best == null || f.length < best.length)) best = f;
            }
            if (best != null) {
                FREE.remove(best);
                return best;
            }
        }
        return new float[length];
    }

    static void give(float[] buffer) {
        synchronized (FREE) {
            if (FREE.size() < KEEP) {
                FREE.push(buffer);
                return;
            }
            // Full: keep the larger buffers, which are the expensive ones to allocate again.
            float[] smallest = buffer;
            for (float[] f : FREE) if (f.length < smallest.length) smallest = f;
            if (smallest != buffer) {
                FREE.remove(smallest);
                FREE.push(buffer);
            }
        }
    }
}
