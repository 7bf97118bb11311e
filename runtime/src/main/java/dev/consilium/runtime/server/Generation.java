package dev.consilium.runtime.server;

import dev.consilium.moe.generate.QueueFullException;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.generate.TokenListener;
import dev.consilium.moe.generate.TokenLogprob;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code n} choices of one request, in flight. {@code n > 1} is n submits to the service, choice i seeded
 * {@code seed + i}, so they share decode steps like any concurrent requests. Streaming reads the choices'
 * tokens from a queue on the request's own thread: the decode thread only enqueues and never waits on a slow
 * client.
 */
final class Generation {
    /** What a streaming request receives, in decode order. */
    sealed interface Event {}

    record Piece(int choice, TokenLogprob token, String text) implements Event {}

    record Done(int choice, Choice.Outcome outcome) implements Event {}

    record Failed(Throwable error) implements Event {}

    /** How an endpoint turns events into its chunks. */
    interface Chunks {
        /** Sent before any token (chat's role deltas). */
        default List<?> start() {
            return List.of();
        }

        List<?> piece(Piece piece);

        List<?> done(Done done);

        Object usage(Wire.Usage usage);
    }

    private final int promptTokens;
    private final List<Choice> choices = new ArrayList<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicInteger live;
    private final Duration keepAlive;

    /**
     * Submits every choice. {@code streamTokens}: each token reaches {@link #stream} as it is decoded; without it
     * (or under a JSON response format, whose output must be checked whole first) a choice arrives in one piece.
     */
    Generation(ServedModel model, int[] prompt, Sampling sampling, SamplingParams params, ResponseFormat format,
               boolean streamTokens) {
        this.promptTokens = prompt.length;
        this.live = model.live();
        this.keepAlive = model.keepAlive();
        try {
            for (int i = 0; i < sampling.n(); i++) {
                int index = i;
                TokenListener listener = streamTokens && !format.json()
                        ? (token, text) -> events.add(new Piece(index, token, text)) : TokenListener.NONE;
                Choice c = new Choice(model.service(), prompt, sampling, params, format, i, model.limits().jsonAttempts(),
                        listener);
                live.incrementAndGet();
                choices.add(c);
                c.outcome().whenComplete((o, e) -> {
                    live.decrementAndGet();
                    events.add(e == null ? new Done(index, o) : new Failed(e));
                });
            }
        } catch (RuntimeException e) {
            cancel();
            throw apiError(e);
        }
    }

    /** Every choice's outcome, in choice order; waits for them. */
    List<Choice.Outcome> await() {
        List<Choice.Outcome> out = new ArrayList<>(choices.size());
        try {
            for (Choice c : choices) out.add(c.outcome().get());
        } catch (ExecutionException e) {
            cancel();
            throw apiError(e.getCause());
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            throw ApiException.shuttingDown();
        }
        return out;
    }

    /**
     * Streams every choice to the end, then the usage chunk when asked and {@code [DONE]}. A failed write means the
     * client went away: the choices are cancelled, which frees their decode slots, and the IOException propagates.
     */
    void stream(SseWriter sse, Chunks chunks, boolean includeUsage) throws IOException {
        Choice.Outcome[] outcomes = new Choice.Outcome[choices.size()];
        try {
            sse.start();
            for (Object chunk : chunks.start()) sse.event(chunk);
            for (int remaining = choices.size(); remaining > 0; ) {
                Event e = events.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                switch (e) {
                    case null -> sse.keepAlive();
                    case Piece p -> { for (Object chunk : chunks.piece(p)) sse.event(chunk); }
                    case Done d -> {
                        outcomes[d.choice()] = d.outcome();
                        remaining--;
                        for (Object chunk : chunks.done(d)) sse.event(chunk);
                    }
                    case Failed f -> {
                        ApiException error = apiError(f.error());
                        sse.event(OpenAiServer.errorBody(error));
                        cancel();
                        return;
                    }
                }
            }
            if (includeUsage) sse.event(chunks.usage(usage(Arrays.asList(outcomes))));
            sse.done();
        } catch (IOException | RuntimeException e) {
            cancel();
            throw e;
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
        }
    }

    /** Counts the prompt once, as OpenAI does for n > 1; cache hits are the first choice's. */
    Wire.Usage usage(List<Choice.Outcome> outcomes) {
        int completion = 0;
        for (Choice.Outcome o : outcomes) completion += o.completion().tokens().length;
        return Wire.Usage.of(promptTokens, completion, outcomes.getFirst().completion().cachedPromptTokens());
    }

    void cancel() {
        for (Choice c : choices) c.cancel();
    }

    /** The engine's failures as the client should see them: its input errors are 400s, never 500s. */
    static ApiException apiError(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) e = e.getCause();
        return switch (e) {
            case ApiException a -> a;
            case QueueFullException q -> ApiException.queueFull(q.getMessage());
            case IllegalArgumentException i -> ApiException.invalid(null, i.getMessage());
            // a cancelled choice (the request was interrupted) or a closed service: the server is going down
            case IllegalStateException s -> ApiException.shuttingDown();
            default -> ApiException.internal("generation failed: " + e);
        };
    }
}
