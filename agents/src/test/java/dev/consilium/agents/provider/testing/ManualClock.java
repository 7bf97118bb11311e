package dev.consilium.agents.provider.testing;

import dev.consilium.agents.provider.decorator.Sleeper;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A clock that moves only when told, and a sleeper that records each wait and moves the clock by it. */
public final class ManualClock implements InstantSource, Sleeper {

    private Instant now = Instant.parse("2025-01-01T00:00:00Z");
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public synchronized Instant instant() {
        return now;
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        advance(d);
    }

    public List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    public Duration slept() {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
