package dev.consilium.agents.provider;

import dev.consilium.agents.provider.cache.CacheMissException;
import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.CacheStats;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.testing.FakeChatModel;
import dev.consilium.agents.provider.testing.ManualClock;
import dev.langchain4j.model.chat.ChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decorators as {@link Providers} stacks them: what is shared between models, and what a cache hit skips. */
class ProvidersStackTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final Ledger ledger = Ledger.builder().warnings(w -> {}).build();
    private final Map<String, FakeChatModel> vendors = new ConcurrentHashMap<>();

    /** {@code counting/NAME}: one scripted fake per model name, so a test can count the calls that reach it. */
    private final ChatModelProvider counting = new ChatModelProvider() {
        @Override
        public String name() {
            return "counting";
        }

        @Override
        public ChatModel chatModel(ModelTarget target) {
            return vendor(target.modelName());
        }
    };

    private FakeChatModel vendor(String name) {
        return vendors.computeIfAbsent(name, n -> new FakeChatModel());
    }

    private Providers providers(ResponseCache cache, Deployment... deployments) {
        return Providers.builder().config(ProvidersConfig.of(deployments)).env(v -> null).provider(counting)
                .ledger(ledger).cache(cache).clock(clock).sleeper(clock).build();
    }

    @Test
    void everyRefThatResolvesToADeploymentDrawsFromItsOneRateLimit() {
        Deployment fast = Deployment.builder().name("fast").model("counting/m").rpm(1).build();
        Providers p = providers(null, fast);

        p.chatModel("fast").chat("first");
        p.chatModel("counting/m").chat("second");

        assertEquals(List.of(Duration.ofSeconds(60)), clock.sleeps(), "the second caller waited for the shared bucket");
        assertEquals(2, vendor("m").calls());
    }

    @Test
    void aCacheHitReachesNoLayerBelowTheCache() {
        Deployment fast = Deployment.builder().name("fast").model("counting/m").rpm(1).build();
        ResponseCache cache = ResponseCache.open(dir, CacheMode.READ_WRITE);
        ChatModel model = providers(cache, fast).chatModel("fast");

        model.chat("17 + 25?");
        model.chat("17 + 25?");

        assertEquals(1, vendor("m").calls());
        assertEquals(1, ledger.size(), "a hit is not billed");
        assertTrue(clock.sleeps().isEmpty(), "a hit takes no rate-limit allowance");
        assertEquals(new CacheStats(1, 1), cache.stats());
    }

    @Test
    void aReplayMissIsNeitherCalledRetriedNorFallenBackFrom() {
        Deployment a = Deployment.builder().name("a").model("counting/a").fallbackGroup("g").build();
        Deployment b = Deployment.builder().name("b").model("counting/b").fallbackGroup("g").build();
        ResponseCache replay = ResponseCache.open(dir, CacheMode.READ_ONLY);

        assertThrows(CacheMissException.class, () -> providers(replay, a, b).chatModel("a").chat("never recorded"));

        assertEquals(0, vendor("a").calls() + vendor("b").calls());
        assertTrue(clock.sleeps().isEmpty());
        assertEquals(0, ledger.size());
        assertEquals(new CacheStats(0, 1), replay.stats());
    }
}
