package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ModelCallException;
import dev.consilium.agents.provider.ProviderException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Retries retriable failures ({@link Failures#isRetriable}) under a {@link RetryPolicy}, honouring the server's
 * {@code Retry-After}. When it gives up, or the failure was never retriable, it throws a
 * {@link ModelCallException} that names the deployment, the attempts and the problem. Failures of this layer
 * itself (a spent budget, a replay-cache miss) pass through unchanged.
 */
public final class RetryChatModel extends ForwardingChatModel {

    private final String name;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    /** @param name names the deployment in error messages, e.g. {@code openai/gpt-4o-mini (deployment 'fast')} */
    public RetryChatModel(ChatModel delegate, String name, RetryPolicy policy, Sleeper sleeper, RandomGenerator random) {
        super(delegate);
        this.name = name;
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        for (int retry = 0; ; retry++) {
            try {
                return delegate.chat(request, options);
            } catch (RuntimeException e) {
                int attempts = retry + 1;
                if (!Failures.isRetriable(e)) {
                    if (e instanceof ProviderException) throw e;
                    throw new ModelCallException(name + ": " + Failures.describe(e) + " (not retried)", attempts, e);
                }
                if (retry == policy.maxRetries()) {
                    throw new ModelCallException(name + ": gave up after " + attempts + " attempts: "
                            + Failures.describe(e), attempts, e);
                }
                Optional<Duration> retryAfter = Failures.retryAfter(e);
                Optional<Duration> wait = policy.delay(retry, retryAfter, random);
                if (wait.isEmpty()) {
                    throw new ModelCallException(name + ": the server asked to retry after " + retryAfter.get().toSeconds()
                            + " s, longer than the policy's limit of " + policy.maxRetryAfter().toSeconds() + " s: "
                            + Failures.describe(e), attempts, e);
                }
                try {
                    sleeper.sleep(wait.get());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    ProviderException stop = new ProviderException(name + ": interrupted while waiting to retry", interrupted);
                    stop.addSuppressed(e);
                    throw stop;
                }
            }
        }
    }
}
