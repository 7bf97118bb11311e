package dev.consilium.moe.prefixcache;

import dev.consilium.moe.checkpoint.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointIdentityTest {
    @TempDir
    Path dir;

    /** Replaces a file by a new one (a new inode), as a checkpoint save does. */
    private static void replace(Path file, String content) throws IOException {
        Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void followsTheWeightsAndConfigButNotTheTokenizer() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 8}");
        Files.writeString(dir.resolve("model.safetensors"), "weights-1");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        String id = CheckpointIdentity.of(dir);
        assertTrue(id.startsWith("sha256:"), id);
        assertEquals(id, CheckpointIdentity.of(dir));

        replace(dir.resolve("tokenizer.json"), "{\"other\": 1}");
        assertEquals(id, CheckpointIdentity.of(dir));

        replace(dir.resolve("model.safetensors"), "weights-2");
        String changedWeights = CheckpointIdentity.of(dir);
        assertNotEquals(id, changedWeights);

        replace(dir.resolve("config.json"), "{\"hidden_size\": 9}");
        assertNotEquals(changedWeights, CheckpointIdentity.of(dir));
    }

    @Test
    void aShardedCheckpointIsIdentifiedByTheShardsItsIndexNames() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"metadata": {}, "weight_map": {"a": "model-00001.safetensors", "b": "model-00002.safetensors",
                 "c": "model-00001.safetensors"}}""");
        Files.writeString(dir.resolve("model-00001.safetensors"), "shard-1");
        Files.writeString(dir.resolve("model-00002.safetensors"), "shard-2");
        String id = CheckpointIdentity.of(dir);

        replace(dir.resolve("model-00002.safetensors"), "shard-2 retrained");

        assertNotEquals(id, CheckpointIdentity.of(dir));
    }

    @Test
    void aCheckpointWithoutWeightsIsAnErrorNamingTheFile() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");

        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointIdentity.of(dir));

        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }
}
