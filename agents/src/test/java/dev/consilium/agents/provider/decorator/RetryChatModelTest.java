package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ModelCallException;
import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.http.ProviderHttpException;
import dev.consilium.agents.provider.ledger.BudgetExceededException;
import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.consilium.agents.provider.testing.ManualClock;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryChatModelTest {

    private final ManualClock clock = new ManualClock();
    private final FakeChatModel fake = new FakeChatModel();

    /** Jitter draws 0: every wait is exactly half its backoff. */
    private RetryChatModel retry(RetryPolicy policy) {
        return new RetryChatModel(fake, "openai/gpt-4o-mini", policy, clock, () -> 0L);
    }

    static Stream<RuntimeException> retriable() {
        return Stream.of(
                new RateLimitException(new HttpException(429, "slow down")),
                new dev.langchain4j.exception.TimeoutException(new HttpException(408, "request timeout")),
                new InternalServerException(new HttpException(500, "oops")),
                new InternalServerException(new HttpException(503, "unavailable")),
                new InternalServerException(new HttpException(529, "{\"type\":\"overloaded_error\"}")),
                new RuntimeException(new IOException("Connection reset")),
                new TimeoutException(new HttpTimeoutException("request timed out")));
    }

    @ParameterizedTest
    @MethodSource("retriable")
    void retriesARetriableFailure(RuntimeException failure) {
        fake.thenThrow(failure).then(FakeChatModel.reply("ok"));

        assertEquals("ok", retry(RetryPolicy.DEFAULT).chat("hi"));
        assertEquals(2, fake.calls());
        assertEquals(1, clock.sleeps().size());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void neverRetriesARequestTheServerWillRefuseAgain(int status) {
        fake.thenThrow(new RuntimeException(new HttpException(status, "no")));

        var e = assertThrows(ModelCallException.class, () -> retry(RetryPolicy.DEFAULT).chat("hi"));

        assertEquals(1, fake.calls());
        assertTrue(clock.sleeps().isEmpty());
        assertEquals("openai/gpt-4o-mini: HTTP " + status + ": no (not retried)", e.getMessage());
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        fake.thenThrow(new InternalServerException(new HttpException(500, "oops")));
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(60));

        var e = assertThrows(ModelCallException.class, () -> retry(policy).chat("hi"));

        assertEquals(6, fake.calls());
        assertEquals(6, e.attempts());
        assertEquals(List.of(250L, 500L, 1000L, 1000L, 1000L), clock.sleeps().stream().map(Duration::toMillis).toList());
        assertTrue(e.getMessage().startsWith("openai/gpt-4o-mini: gave up after 6 attempts: HTTP 500"), e.getMessage());
    }

    @Test
    void jitterKeepsEachWaitBetweenHalfAndAllOfItsBackoff() {
        fake.thenThrow(new InternalServerException(new HttpException(500, "oops")));
        var model = new RetryChatModel(fake, "m", RetryPolicy.DEFAULT.withMaxRetries(3), clock, new java.util.Random(42));

        assertThrows(ModelCallException.class, () -> model.chat("hi"));

        List<Duration> sleeps = clock.sleeps();
        for (int i = 0; i < sleeps.size(); i++) {
            long backoff = 500L << i;
            long ms = sleeps.get(i).toMillis();
            assertTrue(ms >= backoff / 2 && ms <= backoff, "wait " + i + " = " + ms + " ms");
        }
        assertTrue(sleeps.stream().distinct().count() == sleeps.size(), "waits are drawn, not fixed: " + sleeps);
    }

    @Test
    void honoursRetryAfterWhenItIsLongerThanTheBackoff() {
        fake.thenThrow(new RateLimitException(new ProviderHttpException(429, "slow down", Duration.ofSeconds(7))))
                .then(FakeChatModel.reply("ok"));

        retry(RetryPolicy.DEFAULT).chat("hi");

        assertEquals(List.of(Duration.ofSeconds(7)), clock.sleeps());
    }

    @Test
    void aRetryAfterBeyondThePolicysLimitFailsAtOnceSoAFallbackCanAnswer() {
        fake.thenThrow(new RateLimitException(new ProviderHttpException(429, "quota", Duration.ofSeconds(120))));

        var e = assertThrows(ModelCallException.class, () -> retry(RetryPolicy.DEFAULT).chat("hi"));

        assertEquals(1, fake.calls());
        assertTrue(clock.sleeps().isEmpty());
        assertTrue(e.getMessage().contains("asked to retry after 120 s"), e.getMessage());
    }

    @Test
    void theLayersOwnFailuresPassThroughUntouchedAndUnretried() {
        var budget = new BudgetExceededException("budget spent");
        fake.thenThrow(budget);

        assertSame(budget, assertThrows(BudgetExceededException.class, () -> retry(RetryPolicy.DEFAULT).chat("hi")));
        assertEquals(1, fake.calls());
    }

    @Test
    void anInterruptWhileWaitingStopsRetrying() {
        fake.thenThrow(new InternalServerException(new HttpException(500, "oops")));
        var model = new RetryChatModel(fake, "m", RetryPolicy.DEFAULT, d -> {
            throw new InterruptedException();
        }, () -> 0L);

        var e = assertThrows(ProviderException.class, () -> model.chat("hi"));

        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        assertEquals("m: interrupted while waiting to retry", e.getMessage());
        assertEquals(1, fake.calls());
    }
}
