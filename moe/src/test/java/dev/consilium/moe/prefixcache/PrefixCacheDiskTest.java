package dev.consilium.moe.prefixcache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefixCacheDiskTest {
    private static final int W = 6;
    private static final int B = 4;
    private static final String MODEL = "sha256:model-a";

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();
    private final int[] tokens = Latents.tokens(3, 18);   // 4 whole blocks and 2 tokens

    private PrefixCache cache(String modelId, Path directory) {
        return PrefixCache.builder().modelId(modelId).rowWidth(W).blockTokens(B).maxBytes(1 << 20)
                .directory(directory).warnings(warnings::add).build();
    }

    private void storeAll(PrefixCache cache) {
        cache.store(tokens, tokens.length, Latents.of(tokens, tokens.length, W), 0);
    }

    /** Where block {@code i} of {@link #tokens} lives for {@link #MODEL}. */
    private Path blockFile(int i) {
        BlockKey root = BlockKey.root(MODEL, W, B);
        BlockKey key = root;
        for (int b = 0; b <= i; b++) key = key.child(BlockKey.sha256(), tokens, b * B, B);
        return BlockFile.path(dir.resolve(root.hex()), key);
    }

    @Test
    void aSecondCacheOnTheSameDirectoryStartsWarmWithIdenticalRows() {
        storeAll(cache(MODEL, dir));

        PrefixCache warm = cache(MODEL, dir);
        PrefixCache.Match m = warm.lookup(tokens, tokens.length);

        assertEquals(16, m.tokens());
        assertArrayEquals(Latents.of(tokens, 16, W), Latents.served(m, W));
        assertEquals(4, warm.stats().diskLoads());
        assertEquals(4, warm.stats().entries());
        assertEquals(List.of(), warnings);
    }

    @Test
    void aBlockEvictedFromMemoryIsReadBackFromDisk() {
        PrefixCache cache = PrefixCache.builder().modelId(MODEL).rowWidth(W).blockTokens(B).maxBytes(0)
                .directory(dir).warnings(warnings::add).build();
        storeAll(cache);
        assertEquals(0, cache.stats().entries());

        assertArrayEquals(Latents.of(tokens, 16, W), Latents.served(cache.lookup(tokens, 18), W));
    }

    @Test
    void anotherModelIdNeverHitsTheSameDirectory() {
        storeAll(cache(MODEL, dir));

        PrefixCache other = cache("sha256:model-b", dir);

        assertEquals(0, other.lookup(tokens, tokens.length).tokens());
        assertEquals(0, other.stats().rejected());
        assertEquals(List.of(), warnings);
    }

    /** Each damage with the words its warning must give as the reason. */
    enum Damage {
        TRUNCATED("truncated"), FLIPPED_PAYLOAD_BYTE("checksum"), BAD_MAGIC("bad magic"), OTHER_MODEL_ID("model id"),
        OTHER_ROW_WIDTH("row width"), MISPLACED("parent block"), GARBAGE("bad magic");

        final String reason;

        Damage(String reason) {
            this.reason = reason;
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedBlockFileIsIgnoredWithOneWarningAndRewrittenByTheNextStore(Damage damage) throws IOException {
        storeAll(cache(MODEL, dir));
        Path file = blockFile(2);
        damage(file, damage);

        PrefixCache cold = cache(MODEL, dir);
        PrefixCache.Match m = cold.lookup(tokens, tokens.length);

        assertEquals(8, m.tokens(), "blocks before the damaged one are still served");
        assertArrayEquals(Latents.of(tokens, 8, W), Latents.served(m, W));
        assertEquals(1, cold.stats().rejected());
        assertEquals(1, warnings.size(), () -> warnings.toString());
        assertTrue(warnings.getFirst().contains(file.toString()), warnings::getFirst);
        assertTrue(warnings.getFirst().contains(damage.reason), warnings::getFirst);

        cold.lookup(tokens, tokens.length);
        assertEquals(1, warnings.size(), "one warning per file");

        storeAll(cold);
        PrefixCache repaired = cache(MODEL, dir);
        assertArrayEquals(Latents.of(tokens, 16, W), Latents.served(repaired.lookup(tokens, tokens.length), W));
        assertEquals(0, repaired.stats().rejected());
    }

    private void damage(Path file, Damage damage) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        switch (damage) {
            case TRUNCATED -> bytes = Arrays.copyOf(bytes, bytes.length - 5);
            case FLIPPED_PAYLOAD_BYTE -> bytes[bytes.length - 20] ^= 0x10;
            case BAD_MAGIC -> bytes[0] = 'X';
            case OTHER_MODEL_ID, OTHER_ROW_WIDTH -> {
                BlockKey parent = BlockKey.root(MODEL, W, B);
                for (int b = 0; b < 2; b++) parent = parent.child(BlockKey.sha256(), tokens, b * B, B);
                int width = damage == Damage.OTHER_ROW_WIDTH ? W + 1 : W;
                CachedBlock block = new CachedBlock(null, parent, Arrays.copyOfRange(tokens, 8, 12), new float[B * width]);
                Files.delete(file);
                BlockFile.write(file, damage == Damage.OTHER_MODEL_ID ? "sha256:model-b" : MODEL, width, block);
                return;
            }
            case MISPLACED -> bytes = Files.readAllBytes(blockFile(3));
            case GARBAGE -> Arrays.fill(bytes, (byte) 0x5A);
        }
        Files.write(file, bytes);
    }

    @Test
    void anUnusableDirectoryWarnsAndTheCacheWorksInMemory() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("cache"), "not a directory");

        PrefixCache cache = cache(MODEL, notADirectory);
        storeAll(cache);

        assertEquals(1, warnings.size(), () -> warnings.toString());
        assertTrue(warnings.getFirst().contains(notADirectory.toString()), warnings::getFirst);
        assertEquals(16, cache.lookup(tokens, tokens.length).tokens());
    }

    @Test
    void writeFailuresWarnOnceAndTheCacheKeepsServingFromMemory() throws IOException {
        PrefixCache cache = cache(MODEL, dir);
        Path modelDir = blockFile(0).getParent();
        Files.delete(modelDir);
        Files.writeString(modelDir, "the disk went away");   // every write into modelDir now fails

        storeAll(cache);
        cache.store(Latents.tokens(4, 8), 8, new float[8 * W], 0);

        assertEquals(6, cache.stats().writeFailures());
        assertEquals(1, warnings.size(), () -> warnings.toString());
        assertArrayEquals(Latents.of(tokens, 16, W), Latents.served(cache.lookup(tokens, tokens.length), W));
    }
}
