package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.consilium.agents.provider.decorator.CircuitBreaker.State.CLOSED;
import static dev.consilium.agents.provider.decorator.CircuitBreaker.State.HALF_OPEN;
import static dev.consilium.agents.provider.decorator.CircuitBreaker.State.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(30), clock);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertTrue(breaker.tryAcquire());
            breaker.onFailure();
        }
    }

    @Test
    void opensAfterTheThresholdOfConsecutiveFailures() {
        fail(2);
        assertEquals(CLOSED, breaker.state());
        fail(1);
        assertEquals(OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());
    }

    @Test
    void aSuccessResetsTheCount() {
        fail(2);
        breaker.onSuccess();
        fail(2);
        assertEquals(CLOSED, breaker.state());
    }

    @Test
    void afterTheCooldownExactlyOneTrialGoesThrough() {
        fail(3);
        clock.advance(Duration.ofSeconds(29));
        assertFalse(breaker.tryAcquire());
        clock.advance(Duration.ofSeconds(1));

        assertTrue(breaker.tryAcquire());
        assertEquals(HALF_OPEN, breaker.state());
        assertFalse(breaker.tryAcquire(), "a second caller waits for the trial's outcome");
    }

    @Test
    void aSuccessfulTrialClosesAndAFailedOneReopensForAnotherCooldown() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        breaker.tryAcquire();
        breaker.onFailure();
        assertEquals(OPEN, breaker.state());
        assertFalse(breaker.tryAcquire());

        clock.advance(Duration.ofSeconds(30));
        assertTrue(breaker.tryAcquire());
        breaker.onSuccess();
        assertEquals(CLOSED, breaker.state());
        assertTrue(breaker.tryAcquire());
    }

    @Test
    void aReleasedTrialLetsTheNextCallerTry() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        breaker.tryAcquire();
        breaker.release();

        assertTrue(breaker.tryAcquire());
    }
}
