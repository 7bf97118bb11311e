package dev.consilium.moe.prefixcache;

import java.util.Arrays;

/**
 * One cached block: its key, its parent's key, its token ids and their rows, (tokens.length, rowWidth) row-major.
 * Never modified after construction, so a {@link PrefixCache.Match} may keep reading it after it is evicted.
 */
record CachedBlock(BlockKey key, BlockKey parent, int[] tokens, float[] rows) {

    /** Object headers, the two keys, the map node and its LRU links: an estimate, so the bound holds roughly. */
    private static final long OVERHEAD_BYTES = 160;

    /** Whether this block is the one for {@code tokens[from, from + this.tokens.length)} after {@code parent}. */
    boolean matches(BlockKey parent, int[] tokens, int from) {
        return this.parent.equals(parent)
                && Arrays.equals(this.tokens, 0, this.tokens.length, tokens, from, from + this.tokens.length);
    }

    long bytes() {
        return 4L * rows.length + 4L * tokens.length + OVERHEAD_BYTES;
    }
}
