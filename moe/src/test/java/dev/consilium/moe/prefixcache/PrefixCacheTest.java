package dev.consilium.moe.prefixcache;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefixCacheTest {
    private static final int W = 4;
    private static final int B = 8;
    /** What one block of B rows of W floats is accounted at. */
    private static final long BLOCK_BYTES = new CachedBlock(null, null, new int[B], new float[B * W]).bytes();

    private static PrefixCache cache(long maxBytes) {
        return PrefixCache.builder().modelId("test-model").rowWidth(W).blockTokens(B).maxBytes(maxBytes).build();
    }

    private static void store(PrefixCache cache, int[] tokens) {
        cache.store(tokens, tokens.length, Latents.of(tokens, tokens.length, W), 0);
    }

    @Test
    void servesTheLongestCachedPrefixInWholeBlocks() {
        PrefixCache cache = cache(1 << 20);
        int[] stored = Latents.tokens(1, 40);
        store(cache, stored);
        int[] prompt = Arrays.copyOf(stored, 50);
        prompt[27] = -1;   // diverges inside the fourth block

        PrefixCache.Match m = cache.lookup(prompt, prompt.length - 1);

        assertEquals(24, m.tokens());
        assertArrayEquals(Latents.of(stored, 24, W), Latents.served(m, W));
    }

    @Test
    void servesNoMoreThanMaxTokens() {
        PrefixCache cache = cache(1 << 20);
        int[] stored = Latents.tokens(1, 40);
        store(cache, stored);

        assertEquals(32, cache.lookup(stored, 39).tokens());
        assertEquals(40, cache.lookup(stored, 40).tokens());
        assertEquals(0, cache.lookup(stored, 7).tokens());
    }

    @Test
    void dropsAPartialLastBlock() {
        PrefixCache cache = cache(1 << 20);
        int[] stored = Latents.tokens(1, 20);
        store(cache, stored);

        assertEquals(2, cache.stats().entries());
        assertEquals(16, cache.lookup(stored, 20).tokens());
    }

    @Test
    void aStoreOfACachedPrefixKeepsTheRowsAlreadyThere() {
        PrefixCache cache = cache(1 << 20);
        int[] tokens = Latents.tokens(1, 16);
        float[] first = Latents.of(tokens, 16, W);
        cache.store(tokens, 16, first, 0);

        cache.store(tokens, 16, new float[16 * W], 0);

        assertEquals(2, cache.stats().entries());
        assertArrayEquals(first, Latents.served(cache.lookup(tokens, 16), W));
    }

    @Test
    void readsRowsFromAnOffsetAndCopiesThemToAnOffset() {
        PrefixCache cache = cache(1 << 20);
        int[] tokens = Latents.tokens(1, 8);
        float[] rows = Latents.of(tokens, 8, W);
        float[] shifted = new float[3 + rows.length];
        System.arraycopy(rows, 0, shifted, 3, rows.length);
        cache.store(tokens, 8, shifted, 3);

        float[] dst = new float[5 + rows.length];
        cache.lookup(tokens, 8).copyRows(dst, 5);

        assertArrayEquals(rows, Arrays.copyOfRange(dst, 5, dst.length));
    }

    @Test
    void countsHitAndMissTokensPerPrompt() {
        PrefixCache cache = cache(1 << 20);
        int[] stored = Latents.tokens(1, 16);
        store(cache, stored);

        cache.lookup(Arrays.copyOf(stored, 20), 19);   // 16 hit, 4 missed
        cache.lookup(Latents.tokens(2, 10), 9);        // 10 missed

        PrefixCache.Stats s = cache.stats();
        assertEquals(1, s.hits());
        assertEquals(1, s.misses());
        assertEquals(16, s.hitTokens());
        assertEquals(14, s.missTokens());
    }

    @Test
    void evictsLeastRecentlyUsedLeavesFirstWithinTheByteBound() {
        long maxBytes = 3 * BLOCK_BYTES;
        PrefixCache cache = cache(maxBytes);
        int[] a = Latents.tokens(1, 40);
        int[] b = Latents.tokens(2, 16);

        store(cache, a);   // 5 blocks: the two deepest go
        assertTrue(cache.stats().bytes() <= maxBytes);
        assertEquals(24, cache.lookup(a, 40).tokens());

        store(cache, b);   // 2 more blocks: a's two deepest remaining go, a's first block stays
        PrefixCache.Stats s = cache.stats();
        assertTrue(s.bytes() <= maxBytes, () -> s.bytes() + " > " + maxBytes);
        assertEquals(4, s.evictions());
        assertEquals(8, cache.lookup(a, 40).tokens());
        assertEquals(16, cache.lookup(b, 16).tokens());
        assertArrayEquals(Latents.of(a, 8, W), Latents.served(cache.lookup(a, 40), W));
    }

    @Test
    void concurrentLookupsAndStoresServeOnlyTheRowsOfTheirOwnTokens() throws Exception {
        PrefixCache cache = cache(10 * BLOCK_BYTES);   // small, so evictions race with lookups
        // Prompts that share prefixes of 0..4 blocks, so threads meet on the same blocks.
        int[] base = Latents.tokens(7, 64);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int[] p = Arrays.copyOf(base, 40 + i);
            p[(i % 5) * B] = 100_000 + i;
            prompts.add(p);
        }
        AtomicInteger wrong = new AtomicInteger();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 64; t++) {
            int seed = t;
            tasks.add(() -> {
                for (int r = 0; r < 50; r++) {
                    int[] p = prompts.get((seed * 7 + r) % prompts.size());
                    PrefixCache.Match m = cache.lookup(p, p.length - 1);
                    if (!Arrays.equals(Latents.of(p, m.tokens(), W), Latents.served(m, W))) wrong.incrementAndGet();
                    store(cache, p);
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Void> f : pool.invokeAll(tasks)) f.get();
        }

        PrefixCache.Stats s = cache.stats();
        assertEquals(0, wrong.get());
        assertEquals(64 * 50, s.hits() + s.misses());
        assertTrue(s.hits() > 0);
        assertTrue(s.bytes() <= 10 * BLOCK_BYTES);
        assertEquals(s.entries() * BLOCK_BYTES, s.bytes());
    }

    @Test
    void rejectsAnIncompleteConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> PrefixCache.builder().rowWidth(W).build());
        assertThrows(IllegalArgumentException.class, () -> PrefixCache.builder().modelId("m").build());
        assertThrows(IllegalArgumentException.class, () -> cache(1 << 20).lookup(new int[4], 5));
        assertThrows(IllegalArgumentException.class, () -> cache(1 << 20).store(new int[8], 8, new float[8 * W - 1], 0));
    }
}
