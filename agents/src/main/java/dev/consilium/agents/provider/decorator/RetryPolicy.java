package dev.consilium.agents.provider.decorator;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try again: up to {@code maxRetries} more attempts, waiting an exponential backoff with jitter, or the
 * server's {@code Retry-After} when that is longer.
 *
 * @param initialDelay  the first backoff before jitter; each next one doubles, up to {@code maxDelay}
 * @param maxRetryAfter a server that asks for a longer wait than this is not waited for: the failure goes up at
 *                      once, so that a fallback deployment can answer instead of the caller idling
 */
public record RetryPolicy(int maxRetries, Duration initialDelay, Duration maxDelay, Duration maxRetryAfter) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60));

    public RetryPolicy {
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay and maxRetryAfter >= 0");
        }
    }

    public RetryPolicy withMaxRetries(int maxRetries) {
        return new RetryPolicy(maxRetries, initialDelay, maxDelay, maxRetryAfter);
    }

    /**
     * The wait before retry number {@code retry} (0 for the first): "equal jitter", a uniform draw from
     * [backoff/2, backoff], so that callers failing together do not retry together yet every wait still grows.
     * Empty when the server's Retry-After exceeds {@code maxRetryAfter}.
     */
    public Optional<Duration> delay(int retry, Optional<Duration> retryAfter, RandomGenerator random) {
        double backoff = Math.min(maxDelay.toNanos(), initialDelay.toNanos() * Math.pow(2, retry));
        Duration jittered = Duration.ofNanos(Math.round(backoff * (0.5 + 0.5 * random.nextDouble())));
        if (retryAfter.isEmpty()) return Optional.of(jittered);
        Duration asked = retryAfter.get();
        if (asked.compareTo(maxRetryAfter) > 0) return Optional.empty();
        return Optional.of(asked.compareTo(jittered) > 0 ? asked : jittered);
    }
}
