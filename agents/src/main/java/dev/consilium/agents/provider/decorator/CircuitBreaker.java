package dev.consilium.agents.provider.decorator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * One deployment's health. After {@code failureThreshold} consecutive failures it opens and calls skip the
 * deployment for {@code cooldown}; then it lets one trial call through (half-open): success closes it, failure
 * opens it for another cooldown. Shared by every model of the deployment, so one caller's discovery that a
 * deployment is down spares the others the timeout.
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failureThreshold;
    private final Duration cooldown;
    private final InstantSource clock;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openedAt;
    private boolean trialInFlight;

    public CircuitBreaker(int failureThreshold, Duration cooldown, InstantSource clock) {
        if (failureThreshold < 1) throw new IllegalArgumentException("failureThreshold must be >= 1");
        this.failureThreshold = failureThreshold;
        this.cooldown = cooldown;
        this.clock = clock;
    }

    /** Whether a call may go to the deployment now; a true in half-open state claims the one trial. */
    public synchronized boolean tryAcquire() {
        switch (state) {
            case CLOSED -> {
                return true;
            }
            case OPEN -> {
                if (clock.instant().isBefore(openedAt.plus(cooldown))) return false;
                state = State.HALF_OPEN;
                trialInFlight = true;
                return true;
            }
            default -> {
                if (trialInFlight) return false;
                trialInFlight = true;
                return true;
            }
        }
    }

    public synchronized void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        trialInFlight = false;
    }

    public synchronized void onFailure() {
        trialInFlight = false;
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
            state = State.OPEN;
            openedAt = clock.instant();
        }
    }

    /** Ends a call that says nothing about the deployment's health (the caller's own fault). */
    public synchronized void release() {
        trialInFlight = false;
    }

    public synchronized State state() {
        return state;
    }

    /** When an open breaker lets its next trial through. */
    public synchronized Instant reopensAt() {
        return state == State.OPEN ? openedAt.plus(cooldown) : clock.instant();
    }
}
