package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlineChatModelTest {

    @Test
    void aCallWithinTheDeadlineAnswersWithTheCallersOptions() {
        FakeChatModel fake = new FakeChatModel().then(FakeChatModel.reply("fast"));
        var who = Attribution.of("run", "agent");

        var response = new DeadlineChatModel(fake, "m", Duration.ofSeconds(5))
                .chat(ChatRequest.builder().messages(UserMessage.from("hi")).build(), who.options());

        assertEquals("fast", response.aiMessage().text());
        assertEquals(who, Attribution.from(fake.options().getFirst()));
    }

    @Test
    void pastTheDeadlineTheCallerGetsAnErrorAndTheCallIsInterrupted() {
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        FakeChatModel slow = new FakeChatModel().then(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            return FakeChatModel.reply("too late");
        });

        var e = assertThrows(DeadlineExceededException.class,
                () -> new DeadlineChatModel(slow, "openai/gpt-4o-mini", Duration.ofMillis(100)).chat("hi"));

        assertEquals("openai/gpt-4o-mini: no answer within the deadline of 100 ms; the call was cancelled", e.getMessage());
        await().atMost(5, SECONDS).untilTrue(interrupted);
    }

    @Test
    void aFailureWithinTheDeadlineReachesTheCallerUnchanged() {
        var boom = new IllegalStateException("boom");
        FakeChatModel failing = new FakeChatModel().thenThrow(boom);

        assertSame(boom, assertThrows(IllegalStateException.class,
                () -> new DeadlineChatModel(failing, "m", Duration.ofSeconds(5)).chat("hi")));
    }

    @Test
    void theCallRunsOnTheCallersThread() {
        Thread caller = Thread.currentThread();
        AtomicBoolean same = new AtomicBoolean();
        FakeChatModel probe = new FakeChatModel().then(() -> {
            same.set(Thread.currentThread() == caller);
            return FakeChatModel.reply("ok");
        });

        new DeadlineChatModel(probe, "m", Duration.ofSeconds(5)).chat("hi");

        assertTrue(same.get());
    }

    @Test
    void noInterruptOutlivesTheCallWhetherItEndedInTimeOrNot() {
        CountDownLatch never = new CountDownLatch(1);
        FakeChatModel model = new FakeChatModel().then(FakeChatModel.reply("fast")).then(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // a delegate that keeps the interrupt, as it should
            }
            return FakeChatModel.reply("too late");
        });
        var deadline = new DeadlineChatModel(model, "m", Duration.ofMillis(50));

        deadline.chat("in time");
        assertThrows(DeadlineExceededException.class, () -> deadline.chat("too slow"));

        assertFalse(Thread.currentThread().isInterrupted());
        // Past the first call's deadline too: a timer that outlives its call finds it finished and leaves it be.
        await().pollInSameThread().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !Thread.currentThread().isInterrupted());
    }
}
