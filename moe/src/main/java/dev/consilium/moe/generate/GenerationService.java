package dev.consilium.moe.generate;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

/**
 * A thread-safe front of a {@link Generator}: one platform thread owns the generator and runs its
 * add/step/remove loop, so concurrent requests share decode steps (continuous batching). Waiting requests
 * are bounded by {@code maxQueued}; cancelling a request's future frees its slot at the next step.
 */
public final class GenerationService implements AutoCloseable {
    private record Request(int[] prompt, SamplingParams params, TokenListener listener,
                           CompletableFuture<Completion> future) {}

    private final Generator generator;
    private final BlockingQueue<Request> queue;
    private final Thread loop;
    private final Object lock = new Object();
    private boolean closing;

    private GenerationService(Generator generator, int maxQueued) {
        if (maxQueued < 1) throw new IllegalArgumentException("maxQueued must be >= 1, was " + maxQueued);
        this.generator = generator;
        this.queue = new ArrayBlockingQueue<>(maxQueued);
        this.loop = Thread.ofPlatform().name("consilium-generate").daemon(true).unstarted(this::run);
    }

    /** Starts the decode thread. maxQueued bounds requests submitted but not yet decoding. */
    public static GenerationService start(Generator generator, int maxQueued) {
        GenerationService s = new GenerationService(generator, maxQueued);
        s.loop.start();
        return s;
    }

    /**
     * Queues a request. The future completes with the completion (finish reason CANCELLED never reaches it:
     * a cancelled future stays cancelled) or exceptionally when the request is invalid or its listener throws.
     *
     * @throws QueueFullException    when maxQueued requests already wait
     * @throws IllegalStateException after {@link #close()}
     */
    public CompletableFuture<Completion> submit(int[] prompt, SamplingParams params, TokenListener listener) {
        CompletableFuture<Completion> f = new CompletableFuture<>();
        synchronized (lock) {
            if (closing) throw new IllegalStateException("the generation service is closed");
            if (!queue.offer(new Request(prompt.clone(), params, listener == null ? TokenListener.NONE : listener, f))) {
                throw new QueueFullException(queue.size() + " requests already wait; try again later");
            }
            lock.notifyAll();
        }
        return f;
    }

    /** Graceful: rejects new requests, lets queued and running ones finish, then stops the thread. */
    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
        }
        boolean interrupted = false;
        while (loop.isAlive()) {
            try {
                loop.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void run() {
        Map<DecodeSequence, CompletableFuture<Completion>> live = new IdentityHashMap<>();
        while (true) {
            synchronized (lock) {
                while (live.isEmpty() && queue.isEmpty()) {
                    if (closing) return;
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            // only as many as can run: the rest stay counted against maxQueued
            for (Request r; live.size() < generator.maxBatch() && (r = queue.poll()) != null; ) {
                if (r.future.isDone()) continue;
                try {
                    live.put(generator.add(r.prompt, r.params, guarded(r)), r.future);
                } catch (RuntimeException e) {
                    r.future.completeExceptionally(e);
                }
            }
            List<DecodeSequence> ended = new ArrayList<>();
            for (Map.Entry<DecodeSequence, CompletableFuture<Completion>> e : live.entrySet()) {
                if (e.getValue().isDone()) {
                    generator.remove(e.getKey());
                    ended.add(e.getKey());
                }
            }
            ended.forEach(live::remove);
            try {
                generator.step();
            } catch (RuntimeException e) {
                // a failure inside the model fails everyone in the batch; the service keeps serving
                for (Map.Entry<DecodeSequence, CompletableFuture<Completion>> en : live.entrySet()) {
                    generator.remove(en.getKey());
                    en.getValue().completeExceptionally(e);
                }
                live.clear();
                continue;
            }
            ended.clear();
            for (Map.Entry<DecodeSequence, CompletableFuture<Completion>> e : live.entrySet()) {
                if (e.getKey().finished()) {
                    e.getValue().complete(e.getKey().completion());
                    ended.add(e.getKey());
                }
            }
            ended.forEach(live::remove);
        }
    }

    /** The request's listener; one that throws fails its own request only. */
    private static TokenListener guarded(Request r) {
        return (token, text) -> {
            if (r.future.isDone()) return;
            try {
                r.listener.onToken(token, text);
            } catch (RuntimeException e) {
                r.future.completeExceptionally(e);
            }
        };
    }
}
