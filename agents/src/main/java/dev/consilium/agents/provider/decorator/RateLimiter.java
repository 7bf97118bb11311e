package dev.consilium.agents.provider.decorator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per minute and tokens per minute for one deployment, as two token buckets that refill continuously
 * (a full minute's allowance may be spent at once, then it trickles back). Callers that find a bucket short
 * wait until it refills; nobody fails for being early.
 *
 * <p>Tokens are not known before a call, so a call reserves an estimate and {@link #settle} replaces it with the
 * real count afterwards. The bucket may go negative after a large response; later callers then wait it out,
 * which keeps the long-run rate at the limit.
 */
public final class RateLimiter {

    private static final Map<Key, RateLimiter> SHARED = new ConcurrentHashMap<>();

    private record Key(String deployment, Integer rpm, Integer tpm) {}

    private final Integer rpm;
    private final Integer tpm;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private double requests;
    private double tokens;
    private Instant refilledAt;

    /** @param rpm requests per minute, null for no limit; @param tpm tokens per minute, null for no limit */
    public RateLimiter(Integer rpm, Integer tpm, InstantSource clock, Sleeper sleeper) {
        if (rpm != null && rpm <= 0 || tpm != null && tpm <= 0) {
            throw new IllegalArgumentException("rpm and tpm must be positive, got " + rpm + ", " + tpm);
        }
        this.rpm = rpm;
        this.tpm = tpm;
        this.clock = clock;
        this.sleeper = sleeper;
        this.requests = rpm == null ? 0 : rpm;
        this.tokens = tpm == null ? 0 : tpm;
        this.refilledAt = clock.instant();
    }

    /**
     * The process-wide limiter of a deployment: every model built for it, by any caller, draws from the same
     * buckets, because the provider counts the process's traffic together.
     */
    public static RateLimiter shared(String deployment, Integer rpm, Integer tpm) {
        return SHARED.computeIfAbsent(new Key(deployment, rpm, tpm),
                k -> new RateLimiter(rpm, tpm, InstantSource.system(), Sleeper.system()));
    }

    /** Blocks until one request and {@code estimatedTokens} tokens are available, then takes them. */
    public void acquire(long estimatedTokens) throws InterruptedException {
        // A request larger than a minute's allowance could never fit; it waits for a full bucket instead.
        double needTokens = tpm == null ? 0 : Math.min(estimatedTokens, tpm);
        while (true) {
            Duration wait;
            synchronized (this) {
                refill();
                boolean requestReady = rpm == null || requests >= 1;
                boolean tokensReady = tpm == null || tokens >= needTokens;
                if (requestReady && tokensReady) {
                    if (rpm != null) requests -= 1;
                    if (tpm != null) tokens -= estimatedTokens;
                    return;
                }
                double seconds = 0;
                if (!requestReady) seconds = (1 - requests) * 60.0 / rpm;
                if (!tokensReady) seconds = Math.max(seconds, (needTokens - tokens) * 60.0 / tpm);
                wait = Duration.ofNanos((long) Math.ceil(seconds * 1e9));
            }
            sleeper.sleep(wait);
        }
    }

    /** Replaces a call's token estimate with what it really used (0 for a call that failed). */
    public synchronized void settle(long estimatedTokens, long actualTokens) {
        if (tpm == null) return;
        refill();
        tokens = Math.min(tpm, tokens + estimatedTokens - actualTokens);
    }

    /** Tokens available now; negative while a large response is being paid back. */
    public synchronized double availableTokens() {
        refill();
        return tokens;
    }

    private void refill() {
        Instant now = clock.instant();
        double minutes = Duration.between(refilledAt, now).toNanos() / 60e9;
        if (minutes <= 0) return;
        refilledAt = now;
        if (rpm != null) requests = Math.min(rpm, requests + minutes * rpm);
        if (tpm != null) tokens = Math.min(tpm, tokens + minutes * tpm);
    }
}
