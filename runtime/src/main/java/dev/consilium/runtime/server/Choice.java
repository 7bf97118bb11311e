package dev.consilium.runtime.server;

import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.GenerationService;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.generate.TokenListener;

import java.util.concurrent.CompletableFuture;

/**
 * One choice of a request, submitted to the generation service. When the request's response format asks for
 * JSON, an output that fails {@link ResponseFormat#check} is generated again with the choice's next seed, up to
 * the attempt bound; a greedy choice gets one attempt, since another would repeat it.
 */
final class Choice {
    /** @param formatError why the last attempt's output breaks the response format, or null */
    record Outcome(Completion completion, int attempts, String formatError) {}

    private final GenerationService service;
    private final int[] prompt;
    private final Sampling sampling;
    private final SamplingParams params;
    private final ResponseFormat format;
    private final int index;
    private final int maxAttempts;
    private final TokenListener listener;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile CompletableFuture<Completion> current;

    /**
     * Submits the first attempt.
     *
     * @throws dev.consilium.moe.generate.QueueFullException when the service's queue is full
     */
    Choice(GenerationService service, int[] prompt, Sampling sampling, SamplingParams params, ResponseFormat format,
           int index, int maxAttempts, TokenListener listener) {
        this.service = service;
        this.prompt = prompt;
        this.sampling = sampling;
        this.params = params;
        this.format = format;
        this.index = index;
        this.maxAttempts = format.json() && params.temperature() > 0 ? maxAttempts : 1;
        this.listener = listener;
        attempt(1);
    }

    CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    /** Stops the choice; its slot in the decode batch is freed at the service's next step. */
    void cancel() {
        outcome.cancel(false);
        CompletableFuture<Completion> f = current;
        if (f != null) f.cancel(true);
    }

    private void attempt(int attempt) {
        SamplingParams p = params.toBuilder().seed(sampling.seed(index, attempt - 1)).build();
        CompletableFuture<Completion> f = service.submit(prompt, p, listener);
        current = f;
        if (outcome.isDone()) f.cancel(true); // cancelled while this attempt was being submitted
        f.whenComplete((completion, error) -> {
            if (error != null) {
                outcome.completeExceptionally(error);
                return;
            }
            String bad = format.check(completion.text());
            if (bad == null || attempt == maxAttempts || outcome.isDone()) {
                outcome.complete(new Outcome(completion, attempt, bad));
                return;
            }
            try {
                attempt(attempt + 1);
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
    }
}
