package dev.consilium.moe.prefixcache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * One block on disk, little-endian:
 * <pre>
 * magic "CNSLPFXB" (8) | version (4) | rowWidth (4) | blockTokens (4) | modelId length (4) | modelId UTF-8
 * | parent key (16) | token ids (4 * blockTokens) | rows (4 * blockTokens * rowWidth floats)
 * | CRC32C of everything before it (4)
 * </pre>
 * The header repeats what the file name (the block key) already implies, so a file that is misplaced, copied
 * from another model or written by another format version is caught by comparison, not only by the hash.
 */
final class BlockFile {
    private BlockFile() {}

    static final int VERSION = 1;
    static final String SUFFIX = ".block";
    private static final byte[] MAGIC = "CNSLPFXB".getBytes(StandardCharsets.US_ASCII);

    /** A block file that exists but must not be used; the message says why. */
    static final class RejectedException extends IOException {
        RejectedException(String reason) {
            super(reason);
        }
    }

    static Path path(Path dir, BlockKey key) {
        return dir.resolve(key.hex() + SUFFIX);
    }

    /**
     * Writes the block to a temp sibling, then renames it into place, so readers never see a partial file. No
     * fsync: a file torn by a power loss fails its checksum and is ignored, which a cache can afford.
     */
    static void write(Path file, String modelId, int rowWidth, CachedBlock block) throws IOException {
        byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
        int blockTokens = block.tokens().length;
        ByteBuffer b = ByteBuffer.allocate(size(id.length, rowWidth, blockTokens)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(rowWidth).putInt(blockTokens).putInt(id.length).put(id);
        b.putLong(block.parent().hi()).putLong(block.parent().lo());
        b.asIntBuffer().put(block.tokens());
        b.position(b.position() + 4 * blockTokens);
        b.asFloatBuffer().put(block.rows());
        b.position(b.position() + 4 * block.rows().length);
        b.putInt(crc(b.array(), b.position()));
        b.flip();

        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (b.hasRemaining()) ch.write(b);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The block stored in {@code file} for {@code tokens[from, from + blockTokens)} after {@code parent}, or null
     * when there is no such file.
     *
     * @throws RejectedException the file exists but is not that block, intact, for this model and row width
     * @throws IOException       the file exists but cannot be read
     */
    static CachedBlock read(Path file, String modelId, int rowWidth, int blockTokens,
                      BlockKey key, BlockKey parent, int[] tokens, int from) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MAGIC.length + 16) throw new RejectedException("truncated to " + bytes.length + " bytes");
        if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length))
            throw new RejectedException("not a prefix cache block (bad magic)");
        b.position(MAGIC.length);
        int version = b.getInt();
        if (version != VERSION) throw new RejectedException("format version " + version + ", expected " + VERSION);
        int width = b.getInt();
        if (width != rowWidth) throw new RejectedException("row width " + width + ", expected " + rowWidth);
        int count = b.getInt();
        if (count != blockTokens) throw new RejectedException("block of " + count + " tokens, expected " + blockTokens);
        byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
        int expectedSize = size(id.length, rowWidth, blockTokens);
        if (bytes.length != expectedSize)
            throw new RejectedException("size " + bytes.length + " bytes, expected " + expectedSize + " (truncated?)");
        int idLength = b.getInt();
        if (idLength != id.length || !Arrays.equals(bytes, b.position(), b.position() + id.length, id, 0, id.length))
            throw new RejectedException("written for another model id, expected '" + modelId + "'");
        b.position(b.position() + id.length);
        if (b.getLong() != parent.hi() || b.getLong() != parent.lo())
            throw new RejectedException("parent block differs from the one looked up (misplaced file)");
        int[] blockIds = new int[blockTokens];
        b.asIntBuffer().get(blockIds);
        if (!Arrays.equals(blockIds, 0, blockTokens, tokens, from, from + blockTokens))
            throw new RejectedException("token ids differ from the ones looked up (misplaced file)");
        b.position(b.position() + 4 * blockTokens);
        int crcAt = bytes.length - 4;
        if (crc(bytes, crcAt) != b.getInt(crcAt)) throw new RejectedException("checksum mismatch (corrupt file)");
        float[] rows = new float[blockTokens * rowWidth];
        b.asFloatBuffer().get(rows);
        return new CachedBlock(key, parent, blockIds, rows);
    }

    /** The builder bounds blockTokens * rowWidth to 2 GB of floats; a model id is far shorter than the slack. */
    private static int size(int idBytes, int rowWidth, int blockTokens) {
        return Math.toIntExact(MAGIC.length + 4 * 4 + idBytes + 16 + 4L * blockTokens + 4L * blockTokens * rowWidth + 4);
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
