package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void interruptingTheCallerCancelsTheCallAndKeepsTheInterrupt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean cancelled = new AtomicBoolean();
        FakeChatModel slow = new FakeChatModel().then(() -> {
            started.countDown();
            try {
                never.await();
            } catch (InterruptedException e) {
                cancelled.set(true);
            }
            return FakeChatModel.reply("too late");
        });
        var model = new DeadlineChatModel(slow, "m", Duration.ofMinutes(5));
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                model.chat("hi");
                seen.complete(null);
            } catch (Throwable t) {
                seen.complete(Thread.currentThread().isInterrupted() ? t : new AssertionError("interrupt lost", t));
            }
        });

        assertTrue(started.await(5, SECONDS));
        caller.interrupt();

        Throwable t = seen.get(5, SECONDS);
        assertEquals(ProviderException.class, t.getClass(), String.valueOf(t));
        assertEquals("m: interrupted; the call was cancelled", t.getMessage());
        await().atMost(5, SECONDS).untilTrue(cancelled);
    }

    @Test
    void aFailureWithinTheDeadlineReachesTheCallerUnchanged() {
        var boom = new IllegalStateException("boom");
        FakeChatModel failing = new FakeChatModel().thenThrow(boom);

        assertSame(boom, assertThrows(IllegalStateException.class,
                () -> new DeadlineChatModel(failing, "m", Duration.ofSeconds(5)).chat("hi")));
    }

    @Test
    void theCallRunsOnAVirtualThread() {
        AtomicBoolean virtual = new AtomicBoolean();
        FakeChatModel probe = new FakeChatModel().then(() -> {
            virtual.set(Thread.currentThread().isVirtual());
            return FakeChatModel.reply("ok");
        });

        new DeadlineChatModel(probe, "m", Duration.ofSeconds(5)).chat("hi");

        assertTrue(virtual.get());
    }
}
