package dev.consilium.agents.provider.cache;

import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.decorator.CacheChatModel;
import dev.consilium.agents.provider.decorator.CacheStreamingChatModel;
import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.consilium.agents.provider.testing.Streams;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheChatModelTest {

    @TempDir
    Path dir;

    private final FakeChatModel fake = new FakeChatModel().then(FakeChatModel.reply("42", 30, 2));

    private CacheChatModel cached(CacheMode mode) {
        return new CacheChatModel(fake, ResponseCache.open(dir, mode), "openai/gpt-4o-mini");
    }

    @Test
    void aRepeatedRequestIsAnsweredFromTheCache() {
        CacheChatModel model = cached(CacheMode.READ_WRITE);

        assertEquals("42", model.chat("17 + 25?"));
        assertEquals("42", model.chat("17 + 25?"));

        assertEquals(1, fake.calls());
    }

    @Test
    void theCacheOutlivesTheProcessThatWroteIt() {
        cached(CacheMode.READ_WRITE).chat("17 + 25?");
        ResponseCache reopened = ResponseCache.open(dir, CacheMode.READ_WRITE);
        FakeChatModel unused = new FakeChatModel();

        ChatResponse r = new CacheChatModel(unused, reopened, "openai/gpt-4o-mini").chat(
                dev.langchain4j.data.message.UserMessage.from("17 + 25?"));

        assertEquals(0, unused.calls());
        assertEquals("42", r.aiMessage().text());
        assertEquals(30, r.tokenUsage().inputTokenCount());
        assertEquals(new CacheStats(1, 0), reopened.stats());
    }

    @Test
    void entriesAreContentAddressedFilesHoldingRequestAndResponse() throws Exception {
        cached(CacheMode.READ_WRITE).chat("17 + 25?");

        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertEquals(1, files.size());
        Path f = files.getFirst();
        String key = f.getFileName().toString().replace(".json", "");
        assertEquals(key.substring(0, 2), f.getParent().getFileName().toString());
        String text = Files.readString(f);
        assertTrue(text.contains("17 + 25?") && text.contains("\"42\""), text);
    }

    @Test
    void replayModeServesRecordedResponsesAndFailsOnAMiss() {
        cached(CacheMode.READ_WRITE).chat("recorded");
        CacheChatModel replay = cached(CacheMode.READ_ONLY);

        assertEquals("42", replay.chat("recorded"));
        var e = assertThrows(CacheMissException.class, () -> replay.chat("never recorded"));

        assertEquals(1, fake.calls());
        assertTrue(e.getMessage().contains("no response for this request"), e.getMessage());
        assertTrue(e.getMessage().contains("never recorded"), e.getMessage());
    }

    @Test
    void offModeAlwaysCallsAndStoresNothing() throws Exception {
        CacheChatModel model = cached(CacheMode.OFF);

        model.chat("17 + 25?");
        model.chat("17 + 25?");

        assertEquals(2, fake.calls());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void concurrentIdenticalRequestsMakeOneCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeChatModel slow = new FakeChatModel().then(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return FakeChatModel.reply("42");
        });
        ResponseCache cache = ResponseCache.open(dir, CacheMode.READ_WRITE);
        CacheChatModel model = new CacheChatModel(slow, cache, "openai/gpt-4o-mini");

        int callers = 8;
        List<Future<String>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) answers.add(pool.submit(() -> model.chat("17 + 25?")));
            await().atMost(5, SECONDS).until(() -> cache.stats().hits() == callers - 1);
            release.countDown();
            for (Future<String> a : answers) assertEquals("42", a.get(5, SECONDS));
        }

        assertEquals(1, slow.calls());
        assertEquals(new CacheStats(callers - 1, 1), cache.stats());
    }

    @Test
    void hitsAndMissesAreCounted() {
        ResponseCache cache = ResponseCache.open(dir, CacheMode.READ_WRITE);
        CacheChatModel model = new CacheChatModel(fake, cache, "openai/gpt-4o-mini");

        model.chat("a");
        model.chat("b");
        model.chat("a");

        assertEquals(new CacheStats(1, 2), cache.stats());
    }

    private Path onlyEntry() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> files = s.filter(Files::isRegularFile).toList();
            assertEquals(1, files.size(), files.toString());
            return files.getFirst();
        }
    }

    /** The model a damaged entry must not answer for: calling it would hide the damage behind a fresh answer. */
    private void refused(CacheChatModel model, String question, Path file, String why) {
        var e = assertThrows(ProviderException.class, () -> model.chat(question));
        assertTrue(e.getMessage().startsWith(file + ": cache entry " + why), e.getMessage());
        assertTrue(e.getMessage().contains("Delete the file"), e.getMessage());
    }

    @Test
    void anEntryWhoseAnswerWasEditedIsRefusedNamingItsFile() throws Exception {
        CacheChatModel model = cached(CacheMode.READ_WRITE);
        model.chat("17 + 25?");
        Path file = onlyEntry();
        Files.writeString(file, Files.readString(file).replace("\"42\"", "\"41\""));

        refused(model, "17 + 25?", file, "does not match its checksum");
        assertEquals(1, fake.calls());
    }

    @Test
    void anEntryCopiedOverAnothersFileIsRefusedNamingItsFile() throws Exception {
        CacheChatModel model = cached(CacheMode.READ_WRITE);
        model.chat("17 + 25?");
        Path first = onlyEntry();
        fake.then(FakeChatModel.reply("7"));
        model.chat("3 + 4?");
        Path second;
        try (Stream<Path> s = Files.walk(dir)) {
            second = s.filter(f -> Files.isRegularFile(f) && !f.equals(first)).findFirst().orElseThrow();
        }
        Files.copy(first, second, StandardCopyOption.REPLACE_EXISTING);

        refused(model, "3 + 4?", second, "holds the response to another request");
        assertEquals("42", model.chat("17 + 25?"), "the original is still served from its own file");
    }

    @Test
    void emptyNullAndEmptyObjectEntriesNameTheirFile() throws Exception {
        CacheChatModel model = cached(CacheMode.READ_WRITE);
        model.chat("17 + 25?");
        Path file = onlyEntry();

        Files.writeString(file, "");
        refused(model, "17 + 25?", file, "is empty");
        Files.writeString(file, "null");
        refused(model, "17 + 25?", file, "holds null, not a cache entry");
        Files.writeString(file, "{}");
        refused(model, "17 + 25?", file, "has no \"key\"");
        Files.writeString(file, "{\"key\": ");
        refused(model, "17 + 25?", file, "is not JSON");
        assertEquals(1, fake.calls());
    }

    @Test
    void aStreamIsAnsweredFromTheSameEntriesAsABlockingCall() {
        ResponseCache cache = ResponseCache.open(dir, CacheMode.READ_WRITE);
        new CacheChatModel(fake, cache, "openai/gpt-4o-mini").chat("17 + 25?");
        StreamingChatModel never = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request,
                               StreamingChatResponseHandler handler) {
                throw new AssertionError("a hit must not reach the model");
            }
        };

        var out = Streams.run(
                new CacheStreamingChatModel(never, cache, "openai/gpt-4o-mini"), "17 + 25?");

        assertEquals(List.of("42"), out.partials());
        assertEquals("42", out.response().aiMessage().text());
        assertEquals(new CacheStats(1, 1), cache.stats());
    }

    @Test
    void tokenLogprobsAreReplayedWithTheResponse() {
        List<dev.consilium.agents.provider.TokenLogprob> tokens = List.of(new dev.consilium.agents.provider.TokenLogprob(-1, " 4",
                Math.log(0.6), List.of(new dev.consilium.agents.provider.TokenLogprob(-1, " 4", Math.log(0.6), List.of()),
                new dev.consilium.agents.provider.TokenLogprob(-1, " 5", Double.NaN, List.of()))));
        ChatResponse recorded = ChatResponse.builder().aiMessage(dev.langchain4j.data.message.AiMessage.from(" 4"))
                .metadata(new LogprobsOnly(tokens)).build();
        FakeChatModel live = new FakeChatModel().then(recorded);
        new CacheChatModel(live, ResponseCache.open(dir, CacheMode.READ_WRITE), "builtin/judge").chat(
                dev.langchain4j.data.message.UserMessage.from("grade"));

        ChatResponse replayed = new CacheChatModel(new FakeChatModel(), ResponseCache.open(dir, CacheMode.READ_ONLY), "builtin/judge")
                .chat(dev.langchain4j.data.message.UserMessage.from("grade"));

        List<dev.consilium.agents.provider.TokenLogprob> back = dev.consilium.agents.provider.LogprobsMetadata.of(replayed);
        assertEquals(" 5", back.getFirst().top().get(1).text());
        assertTrue(Double.isNaN(back.getFirst().top().get(1).logprob()));
        assertEquals(tokens.getFirst().logprob(), back.getFirst().logprob());
        assertEquals(tokens.getFirst().top().getFirst(), back.getFirst().top().getFirst());
    }

    private static final class LogprobsOnly extends dev.langchain4j.model.chat.response.ChatResponseMetadata
            implements dev.consilium.agents.provider.LogprobsMetadata {
        private final List<dev.consilium.agents.provider.TokenLogprob> tokens;

        LogprobsOnly(List<dev.consilium.agents.provider.TokenLogprob> tokens) {
            super(dev.langchain4j.model.chat.response.ChatResponseMetadata.builder().modelName("m"));
            this.tokens = tokens;
        }

        @Override
        public List<dev.consilium.agents.provider.TokenLogprob> logprobs() {
            return tokens;
        }
    }
}
