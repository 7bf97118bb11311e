package dev.consilium.moe.prefixcache;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The identity of a block of tokens in its context: SHA-256 of the parent block's key and this block's token
 * ids, truncated to 128 bits. The first block's parent is {@link #root}, a hash of everything that makes latents
 * comparable (format version, model id, row width, block size), so keys of different models never meet.
 *
 * <p>128 bits: a collision among 2^40 blocks has odds near 2^-49, and a hit also checks the block's own tokens
 * and parent key (see {@link CachedBlock#matches}), so a collision alone cannot serve rows for other tokens.
 */
record BlockKey(long hi, long lo) {

    static BlockKey root(String modelId, int rowWidth, int blockTokens) {
        MessageDigest sha = sha256();
        sha.update(("consilium-prefix-cache/" + BlockFile.VERSION + "\0" + modelId + "\0" + rowWidth + "\0" + blockTokens)
                .getBytes(StandardCharsets.UTF_8));
        return of(sha.digest());
    }

    /** The key of {@code tokens[from, from + count)} following the block keyed {@code this}; {@code sha} is reset. */
    BlockKey child(MessageDigest sha, int[] tokens, int from, int count) {
        ByteBuffer b = ByteBuffer.allocate(16 + 4 * count).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hi).putLong(lo);
        for (int i = 0; i < count; i++) b.putInt(tokens[from + i]);
        sha.reset();
        return of(sha.digest(b.array()));
    }

    String hex() {
        return HexFormat.of().toHexDigits(hi) + HexFormat.of().toHexDigits(lo);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }

    private static BlockKey of(byte[] digest) {
        ByteBuffer b = ByteBuffer.wrap(digest);
        return new BlockKey(b.getLong(), b.getLong());
    }
}
