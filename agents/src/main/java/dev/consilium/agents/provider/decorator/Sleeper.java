package dev.consilium.agents.provider.decorator;

import java.time.Duration;

/** How decorators wait: the real clock in production, a recorded fake in tests, so no test sleeps. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    static Sleeper system() {
        return d -> {
            if (d.isPositive()) Thread.sleep(d);
        };
    }
}
