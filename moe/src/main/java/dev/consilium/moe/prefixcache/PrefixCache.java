package dev.consilium.moe.prefixcache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Per-position rows a model computed for a prompt (for the built-in model, each layer's normalized MLA latent
 * and rotated key), kept so a later prompt that starts with the same tokens skips recomputing them.
 *
 * <pre>{@code
 * PrefixCache cache = PrefixCache.builder()
 *         .modelId(CheckpointIdentity.of(checkpointDir))
 *         .rowWidth(W).blockTokens(16).maxBytes(256L << 20)
 *         .directory(Path.of("prefix-cache"))          // optional: a second run starts warm
 *         .build();
 * PrefixCache.Match m = cache.lookup(prompt, prompt.length - 1);   // keep >= 1 token to compute logits from
 * m.copyRows(rows, 0);                                              // rows (m.tokens(), W)
 * // ... compute rows for positions m.tokens() .. prompt.length - 1 ...
 * cache.store(prompt, prompt.length, rows, 0);
 * }</pre>
 *
 * <h2>Blocks, not a radix tree</h2>
 * A prompt is cut into blocks of {@code blockTokens} tokens, each keyed by a hash of its parent's key and its own
 * token ids ({@link BlockKey}), so a key names a whole prefix and a lookup walks block by block through one hash
 * map. A radix tree would also reuse a partial last block, but its nodes split at arbitrary tokens, so they map
 * to neither fixed-size memory accounting nor one immutable file each; blocks do both, and share between
 * processes by name alone. The price is at most {@code blockTokens - 1} prompt tokens recomputed.
 *
 * <h2>Memory: LRU over bytes, leaves first</h2>
 * Every lookup and store touches the blocks of its prefix deepest first, root last, so a parent is always more
 * recently used than any of its children, and the least recently used block, the one evicted, is always a leaf:
 * eviction never strands a descendant that no lookup could reach.
 *
 * <h2>Disk</h2>
 * With a {@link Builder#directory directory}, each block is also one file (see {@link BlockFile}) under
 * {@code directory/<hash of model id, row width, block size>/}, written on store and read on a memory miss. Disk
 * is not bounded or evicted here; delete the directory to reclaim it. A file that is corrupt, truncated, stale or
 * misplaced is ignored with one warning and counted in {@link Stats#rejected()}; a directory that cannot be used
 * or written warns and the cache carries on in memory. Nothing on disk can make a lookup fail or return rows
 * other than those stored for the same model, width and tokens.
 *
 * <p>Thread-safe: one lock guards the in-memory index; hashing, copying out of a {@link Match} and disk I/O run
 * outside it.
 */
public final class PrefixCache {
    private static final System.Logger LOG = System.getLogger(PrefixCache.class.getName());

    private final String modelId;
    private final int rowWidth;
    private final int blockTokens;
    private final long maxBytes;
    private final Consumer<String> warnings;
    private final BlockKey root;
    /** null: memory only. */
    private final Path dir;

    private final ReentrantLock lock = new ReentrantLock();
    /** Access-ordered: iteration starts at the least recently used block. Guarded by {@link #lock}. */
    private final LinkedHashMap<BlockKey, CachedBlock> blocks = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes, hits, misses, hitTokens, missTokens, evictions, diskLoads;   // guarded by lock
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private final AtomicBoolean writeWarned = new AtomicBoolean();
    /** Keys whose file was rejected: not read again (one warning each), and rewritten on the next store. */
    private final Set<BlockKey> rejectedKeys = ConcurrentHashMap.newKeySet();

    private PrefixCache(Builder b) {
        this.modelId = b.modelId;
        this.rowWidth = b.rowWidth;
        this.blockTokens = b.blockTokens;
        this.maxBytes = b.maxBytes;
        this.warnings = b.warnings;
        this.root = BlockKey.root(modelId, rowWidth, blockTokens);
        this.dir = b.directory == null ? null : openDirectory(b.directory.resolve(root.hex()));
    }

    public static Builder builder() {
        return new Builder();
    }

    public String modelId() {
        return modelId;
    }

    public int rowWidth() {
        return rowWidth;
    }

    public int blockTokens() {
        return blockTokens;
    }

    /**
     * The longest cached prefix of {@code tokens} that is at most {@code maxTokens} long, in whole blocks; tokens
     * beyond it are not served even when cached. {@code tokens} is the whole prompt: the stats count its tokens
     * past the match as missed.
     */
    public Match lookup(int[] tokens, int maxTokens) {
        if (maxTokens < 0 || maxTokens > tokens.length)
            throw new IllegalArgumentException("maxTokens " + maxTokens + " outside [0, " + tokens.length + "]");
        BlockKey[] keys = keys(tokens, maxTokens / blockTokens);
        List<CachedBlock> chain = new ArrayList<>();
        lock.lock();
        try {
            for (int i = 0; i < keys.length; i++) {
                CachedBlock b = blocks.get(keys[i]);
                if (b == null || !b.matches(parent(keys, i), tokens, i * blockTokens)) break;
                chain.add(b);
            }
        } finally {
            lock.unlock();
        }
        int inMemory = chain.size();
        if (dir != null) {
            for (int i = inMemory; i < keys.length; i++) {
                CachedBlock b = readFile(keys[i], parent(keys, i), tokens, i * blockTokens);
                if (b == null) break;
                chain.add(b);
            }
        }
        int matched = chain.size() * blockTokens;
        lock.lock();
        try {
            // Blocks found in memory go back in too: one may have been evicted while the disk was read.
            for (CachedBlock b : chain) if (blocks.putIfAbsent(b.key(), b) == null) bytes += b.bytes();
            touchDeepestFirst(keys, chain.size());
            evictOverBound();
            diskLoads += chain.size() - inMemory;
            if (matched > 0) hits++;
            else misses++;
            hitTokens += matched;
            missTokens += tokens.length - matched;
        } finally {
            lock.unlock();
        }
        return new Match(List.copyOf(chain), matched, rowWidth);
    }

    /**
     * Keeps the rows of {@code tokens[0, length)}, {@code rows} (length, rowWidth) from {@code rowsOff}, in whole
     * blocks: a partial last block is dropped. Blocks already cached are only touched, not copied or rewritten.
     */
    public void store(int[] tokens, int length, float[] rows, int rowsOff) {
        if (length < 0 || length > tokens.length)
            throw new IllegalArgumentException("length " + length + " outside [0, " + tokens.length + "]");
        long floats = (long) length * rowWidth;
        if (rowsOff < 0 || rowsOff + floats > rows.length)
            throw new IllegalArgumentException("rows: " + length + " rows of " + rowWidth + " floats from offset "
                    + rowsOff + " do not fit in " + rows.length + " floats");
        BlockKey[] keys = keys(tokens, length / blockTokens);
        List<CachedBlock> added = new ArrayList<>();
        int stored = 0;
        lock.lock();
        try {
            for (; stored < keys.length; stored++) {
                int from = stored * blockTokens;
                CachedBlock b = blocks.get(keys[stored]);
                if (b == null) {
                    int off = rowsOff + from * rowWidth;
                    b = new CachedBlock(keys[stored], parent(keys, stored), Arrays.copyOfRange(tokens, from, from + blockTokens),
                            Arrays.copyOfRange(rows, off, off + blockTokens * rowWidth));
                    blocks.put(b.key(), b);
                    bytes += b.bytes();
                    added.add(b);
                } else if (!b.matches(parent(keys, stored), tokens, from)) {
                    break;   // a 128-bit key collision: the resident block stays, and ours below it could never be found
                }
            }
            touchDeepestFirst(keys, stored);
            evictOverBound();
        } finally {
            lock.unlock();
        }
        if (dir != null) for (CachedBlock b : added) writeFile(b);
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(hits, misses, hitTokens, missTokens, blocks.size(), bytes, evictions, diskLoads,
                    rejected.get(), writeFailures.get());
        } finally {
            lock.unlock();
        }
    }

    /** Keys of the first {@code count} blocks of {@code tokens}. */
    private BlockKey[] keys(int[] tokens, int count) {
        BlockKey[] keys = new BlockKey[count];
        var sha = BlockKey.sha256();
        BlockKey parent = root;
        for (int i = 0; i < count; i++) parent = keys[i] = parent.child(sha, tokens, i * blockTokens, blockTokens);
        return keys;
    }

    private BlockKey parent(BlockKey[] keys, int i) {
        return i == 0 ? root : keys[i - 1];
    }

    /** Holds the leaves-first eviction invariant: see the class comment. Caller holds the lock. */
    private void touchDeepestFirst(BlockKey[] keys, int count) {
        for (int i = count - 1; i >= 0; i--) blocks.get(keys[i]);
    }

    private void evictOverBound() {
        Iterator<CachedBlock> it = blocks.values().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            bytes -= it.next().bytes();
            it.remove();
            evictions++;
        }
    }

    private Path openDirectory(Path d) {
        try {
            return Files.createDirectories(d);
        } catch (IOException | RuntimeException e) {
            warn("prefix cache: cannot use directory " + d + " (" + e + "); caching in memory only");
            return null;
        }
    }

    private CachedBlock readFile(BlockKey key, BlockKey parent, int[] tokens, int from) {
        if (rejectedKeys.contains(key)) return null;
        Path file = BlockFile.path(dir, key);
        try {
            return BlockFile.read(file, modelId, rowWidth, blockTokens, key, parent, tokens, from);
        } catch (IOException | RuntimeException e) {
            rejected.incrementAndGet();
            rejectedKeys.add(key);
            warn("prefix cache: ignoring " + file + ": "
                    + (e instanceof BlockFile.RejectedException ? e.getMessage() : "cannot read (" + e + ")"));
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // The key stays in rejectedKeys, so the file is not read again; the next store replaces it.
            }
            return null;
        }
    }

    private void writeFile(CachedBlock b) {
        Path file = BlockFile.path(dir, b.key());
        boolean rewrite = rejectedKeys.contains(b.key());
        try {
            if (!rewrite && Files.exists(file)) return;   // another process stored it
            BlockFile.write(file, modelId, rowWidth, b);
            if (rewrite) rejectedKeys.remove(b.key());
        } catch (IOException | RuntimeException e) {
            writeFailures.incrementAndGet();
            // One warning per cache: a full disk would otherwise warn on every block.
            if (writeWarned.compareAndSet(false, true))
                warn("prefix cache: cannot write " + file + " (" + e + "); caching in memory only until writes"
                        + " succeed again (further failures are counted in stats().writeFailures())");
        }
    }

    private void warn(String message) {
        warnings.accept(message);
    }

    /** A cached prefix: its first {@link #tokens()} positions' rows. Stays valid after the blocks are evicted. */
    public static final class Match {
        private final List<CachedBlock> blocks;
        private final int tokens;
        private final int rowWidth;

        private Match(List<CachedBlock> blocks, int tokens, int rowWidth) {
            this.blocks = blocks;
            this.tokens = tokens;
            this.rowWidth = rowWidth;
        }

        /** Prompt tokens served from the cache: a multiple of the block size, 0 on a miss. */
        public int tokens() {
            return tokens;
        }

        /** Copies the rows, (tokens(), rowWidth) row-major, into {@code dst} from {@code dstOff}. */
        public void copyRows(float[] dst, int dstOff) {
            Objects.checkFromIndexSize(dstOff, tokens * rowWidth, dst.length);
            for (CachedBlock b : blocks) {
                System.arraycopy(b.rows(), 0, dst, dstOff, b.rows().length);
                dstOff += b.rows().length;
            }
        }
    }

    /**
     * Counters since the cache was built. A lookup is a hit when it serves at least one block; hit and miss tokens
     * sum to the lengths of the prompts looked up. {@code bytes} is the estimated memory of {@code entries} blocks.
     * {@code rejected}: disk files ignored as corrupt, stale or unreadable; {@code writeFailures}: blocks that
     * could not be written to disk.
     */
    public record Stats(long hits, long misses, long hitTokens, long missTokens, long entries, long bytes,
                        long evictions, long diskLoads, long rejected, long writeFailures) {}

    public static final class Builder {
        private String modelId;
        private int rowWidth;
        private int blockTokens = 16;
        private long maxBytes = 256L << 20;
        private Path directory;
        private Consumer<String> warnings = message -> LOG.log(System.Logger.Level.WARNING, message);

        private Builder() {}

        /**
         * Required: what produced the rows, so rows of other weights never match. {@link CheckpointIdentity#of}
         * for a checkpoint directory; for weights changed in memory (training), a new id after each change.
         */
        public Builder modelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /** Required: floats per token position. */
        public Builder rowWidth(int rowWidth) {
            this.rowWidth = rowWidth;
            return this;
        }

        /** Tokens per block, 16 by default: smaller reuses more of a prompt, larger costs fewer hashes and files. */
        public Builder blockTokens(int blockTokens) {
            this.blockTokens = blockTokens;
            return this;
        }

        /** Bound on the estimated memory of cached blocks, 256 MiB by default. */
        public Builder maxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        /** Optional: also keep blocks as files here, shared by later runs and other processes. */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** Where warnings about the directory and its files go; {@link System.Logger} WARNING by default. */
        public Builder warnings(Consumer<String> warnings) {
            this.warnings = Objects.requireNonNull(warnings, "warnings");
            return this;
        }

        public PrefixCache build() {
            if (modelId == null || modelId.isBlank()) throw new IllegalArgumentException("prefix cache: modelId is required");
            if (rowWidth <= 0) throw new IllegalArgumentException("prefix cache: rowWidth must be > 0, got " + rowWidth);
            if (blockTokens <= 0)
                throw new IllegalArgumentException("prefix cache: blockTokens must be > 0, got " + blockTokens);
            if ((long) blockTokens * rowWidth > Integer.MAX_VALUE / 4)
                throw new IllegalArgumentException("prefix cache: a block of " + blockTokens + " rows of " + rowWidth
                        + " floats exceeds 2 GB; use fewer blockTokens");
            if (maxBytes < 0) throw new IllegalArgumentException("prefix cache: maxBytes must be >= 0, got " + maxBytes);
            return new PrefixCache(this);
        }
    }
}
