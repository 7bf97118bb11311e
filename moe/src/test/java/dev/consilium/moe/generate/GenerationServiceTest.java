package dev.consilium.moe.generate;

import dev.consilium.moe.model.DeepSeekV3Model;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

class GenerationServiceTest {
    private static final DeepSeekV3Model MODEL = TinyModels.model(31);
    private static final int[] PROMPT = {4, 8, 15, 16, 23, 42};

    @Test
    void concurrentRequestsGetTheCompletionsTheyWouldGetAlone() throws Exception {
        Generator reference = Generator.builder().model(MODEL).build();
        List<SamplingParams> params = List.of(SamplingParams.greedy(9),
                SamplingParams.builder().seed(1L).maxNewTokens(5).build(),
                SamplingParams.builder().seed(2L).temperature(0.6).maxNewTokens(12).build());
        try (GenerationService service = GenerationService.start(Generator.builder().model(MODEL).maxBatch(2).build(), 8)) {
            List<CompletableFuture<Completion>> futures = new ArrayList<>();
            for (SamplingParams p : params) futures.add(service.submit(PROMPT, p, null));
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(reference.generate(PROMPT, params.get(i)).tokens(),
                        futures.get(i).get().tokens(), "request " + i);
            }
        }
    }

    @Test
    void aFullQueueRejectsAndCancellingFreesTheSlot() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger streamed = new AtomicInteger();
        try (GenerationService service = GenerationService.start(Generator.builder().model(MODEL).maxBatch(1).build(), 1)) {
            // the first request blocks the decode thread in its listener until released
            CompletableFuture<Completion> blocking = service.submit(PROMPT, SamplingParams.greedy(80), (t, s) -> {
                streamed.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> streamed.get() == 1);
            CompletableFuture<Completion> queued = service.submit(PROMPT, SamplingParams.greedy(3), null);
            assertThrows(QueueFullException.class, () -> service.submit(PROMPT, SamplingParams.greedy(3), null));
            blocking.cancel(true);
            release.countDown();
            assertEquals(3, queued.get().tokens().length);
            assertTrue(blocking.isCancelled());
            assertTrue(streamed.get() < 80, "the cancelled request kept decoding: " + streamed.get());
        }
    }

    @Test
    void closeFinishesWhatIsQueuedAndRejectsNewRequests() throws Exception {
        GenerationService service = GenerationService.start(Generator.builder().model(MODEL).maxBatch(1).build(), 4);
        List<CompletableFuture<Completion>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) futures.add(service.submit(PROMPT, SamplingParams.greedy(6), null));
        service.close();
        for (CompletableFuture<Completion> f : futures) {
            assertTrue(f.isDone());
            assertEquals(FinishReason.LENGTH, f.get().finishReason());
        }
        assertThrows(IllegalStateException.class, () -> service.submit(PROMPT, SamplingParams.greedy(1), null));
    }

    @Test
    void aListenerThatThrowsFailsOnlyItsOwnRequest() throws Exception {
        try (GenerationService service = GenerationService.start(Generator.builder().model(MODEL).build(), 4)) {
            CompletableFuture<Completion> bad = service.submit(PROMPT, SamplingParams.greedy(5), (t, s) -> {
                throw new IllegalStateException("listener broke");
            });
            CompletableFuture<Completion> good = service.submit(PROMPT, SamplingParams.greedy(5), null);
            assertEquals(5, good.get().tokens().length);
            await().atMost(Duration.ofSeconds(10)).until(bad::isCompletedExceptionally);
        }
    }
}
