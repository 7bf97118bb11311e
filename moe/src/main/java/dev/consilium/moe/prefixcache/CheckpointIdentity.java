package dev.consilium.moe.prefixcache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.moe.checkpoint.Checkpoint;
import dev.consilium.moe.checkpoint.CheckpointException;
import dev.consilium.moe.checkpoint.SafetensorsReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The identity of a checkpoint's weights, for {@link PrefixCache.Builder#modelId}: {@code sha256:<hex>} over
 * {@code config.json} and the weight files ({@code model.safetensors}, or {@code model.safetensors.index.json}
 * and the shards it names), each by name, size and content. The tokenizer is not part of it: rows depend on
 * token ids, not on how text became them.
 *
 * <p>Files are streamed, never loaded whole. Hashing gigabytes takes seconds, so each file's digest is remembered
 * for the life of the process under its path, size, modification time and file key (inode); a checkpoint saved
 * again in place gets new files, hence new keys, and is hashed again.
 */
public final class CheckpointIdentity {
    private CheckpointIdentity() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, FileDigest> DIGESTS = new ConcurrentHashMap<>();

    private record FileDigest(long size, FileTime modified, Object fileKey, byte[] sha256) {}

    /** @throws CheckpointException the directory lacks config.json or weights, or a file cannot be read */
    public static String of(Path checkpointDir) {
        MessageDigest sha = BlockKey.sha256();
        for (Path file : files(checkpointDir)) {
            sha.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(digest(file));
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static List<Path> files(Path dir) {
        List<Path> files = new ArrayList<>();
        files.add(dir.resolve(Checkpoint.CONFIG));
        Path index = dir.resolve(SafetensorsReader.INDEX_FILE);
        if (Files.exists(index)) {
            files.add(index);
            for (String shard : shards(index)) files.add(index.resolveSibling(shard));
        } else {
            files.add(dir.resolve(SafetensorsReader.SINGLE_FILE));
        }
        return files;
    }

    /** The shard file names of an index, sorted, each once. */
    private static TreeSet<String> shards(Path index) {
        JsonNode map;
        try {
            map = JSON.readTree(index.toFile()).get("weight_map");
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read as JSON: " + e.getMessage(), e);
        }
        if (map == null || !map.isObject()) throw new CheckpointException(index + ": missing \"weight_map\" object");
        TreeSet<String> shards = new TreeSet<>();
        for (JsonNode shard : map) {
            if (!shard.isTextual() || shard.asText().contains("/") || shard.asText().contains("\\"))
                throw new CheckpointException(index + ": weight_map must name shard files beside the index, found " + shard);
            shards.add(shard.asText());
        }
        return shards;
    }

    /** 8 bytes of size, then the content's SHA-256. */
    private static byte[] digest(Path file) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            Path key = file.toAbsolutePath().normalize();
            FileDigest known = DIGESTS.get(key);
            if (known == null || known.size() != attrs.size() || !known.modified().equals(attrs.lastModifiedTime())
                    || !Objects.equals(known.fileKey(), attrs.fileKey())) {
                known = new FileDigest(attrs.size(), attrs.lastModifiedTime(), attrs.fileKey(), sha256(file));
                DIGESTS.put(key, known);
            }
            return ByteBuffer.allocate(8 + known.sha256().length).putLong(known.size()).put(known.sha256()).array();
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read to identify the checkpoint: " + e, e);
        }
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest sha = BlockKey.sha256();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
        }
        return sha.digest();
    }
}
