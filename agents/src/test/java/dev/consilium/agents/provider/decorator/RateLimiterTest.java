package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.consilium.agents.provider.testing.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void aCallerBeyondTheRequestsPerMinuteWaitsForTheBucketToRefill() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(2, null, clock, clock);

        limiter.acquire(0);
        limiter.acquire(0);
        assertTrue(clock.sleeps().isEmpty());
        limiter.acquire(0);

        assertEquals(List.of(Duration.ofSeconds(30)), clock.sleeps(), "one request refills in 60 s / 2");
    }

    @Test
    void tokensAreReservedByEstimateAndSettledByRealUse() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(null, 1000, clock, clock);

        limiter.acquire(100);
        limiter.settle(100, 900);
        assertEquals(100, limiter.availableTokens(), 1e-9);
        limiter.acquire(100);
        limiter.settle(100, 900);
        assertEquals(-800, limiter.availableTokens(), 1e-9);
        limiter.acquire(100);

        assertEquals(List.of(Duration.ofSeconds(54)), clock.sleeps(), "900 tokens at 1000 per minute");
    }

    @Test
    void aFailedCallGivesItsReservedTokensBack() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(null, 1000, clock, clock);

        limiter.acquire(400);
        limiter.settle(400, 0);

        assertEquals(1000, limiter.availableTokens(), 1e-9);
    }

    @Test
    void aRequestLargerThanAMinutesTokensWaitsForAFullBucketRatherThanForever() throws InterruptedException {
        RateLimiter limiter = new RateLimiter(null, 1000, clock, clock);
        limiter.acquire(500);

        limiter.acquire(5000);

        assertEquals(List.of(Duration.ofSeconds(30)), clock.sleeps());
    }

    @Test
    void everyModelOfADeploymentSharesOneProcessWideLimiter() {
        assertSame(RateLimiter.shared("fast", 60, 1000), RateLimiter.shared("fast", 60, 1000));
        assertNotSame(RateLimiter.shared("fast", 60, 1000), RateLimiter.shared("slow", 60, 1000));
    }

    @Test
    void twoCallersOfOneDeploymentDrawFromTheSameBucketAndWaitRatherThanFail() {
        RateLimiter limiter = new RateLimiter(1, null, clock, clock);
        var agentA = new RateLimitChatModel(new FakeChatModel(), limiter);
        var agentB = new RateLimitChatModel(new FakeChatModel(), limiter);

        assertEquals("ok", agentA.chat("hi"));
        assertEquals("ok", agentB.chat("hi"));

        assertEquals(List.of(Duration.ofSeconds(60)), clock.sleeps());
    }

    @Test
    void theDecoratorSettlesItsEstimateWithTheResponsesUsage() {
        RateLimiter limiter = new RateLimiter(null, 10_000, clock, clock);
        var model = new RateLimitChatModel(new FakeChatModel().then(FakeChatModel.reply("ok", 700, 300)), limiter);

        model.chat("hi");

        assertEquals(9_000, limiter.availableTokens(), 1e-9);
    }

    @Test
    void theTokenEstimateIsAQuarterOfTheTextPlusFramingPerMessage() {
        var request = dev.langchain4j.model.chat.request.ChatRequest.builder().messages(
                dev.langchain4j.data.message.SystemMessage.from("x".repeat(40)),
                dev.langchain4j.data.message.UserMessage.from("y".repeat(100))).build();

        assertEquals((40 + 16 + 100 + 16 + 3) / 4, RateLimitChatModel.estimateInputTokens(request));
    }
}
