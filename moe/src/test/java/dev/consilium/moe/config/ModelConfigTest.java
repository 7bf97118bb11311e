package dev.consilium.moe.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ModelConfigTest {

    @Test
    void shippedConfigsParseAndRoundTripThroughConfigJson() {
        for (String name : ModelConfig.NAMED) {
            ModelConfig c = ModelConfig.named(name);
            assertEquals(c, ModelConfig.fromJson(c.toJson()), name);
        }
        ModelConfig small = ModelConfig.named("small");
        assertEquals(96, small.qLoraRank());
        assertEquals(48, small.qkHeadDim());
        assertFalse(small.isMoeLayer(0));
        assertTrue(small.isMoeLayer(1));
        assertNull(ModelConfig.named("tiny").qLoraRank());
    }

    @Test
    void unknownKeysAreIgnored() {
        String json = ModelConfig.named("tiny").toJson().replaceFirst("\\{", "{\"some_future_field\": [1, 2],");
        assertEquals(ModelConfig.named("tiny"), ModelConfig.fromJson(json));
    }

    @Test
    void missingRequiredKeyIsAnErrorNamingFileAndKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, ModelConfig.named("tiny").toJson().replaceAll("\"kv_lora_rank\" : \\d+,", ""));
        var e = assertThrows(ConfigException.class, () -> ModelConfig.load(file));
        assertEquals(file + ": missing \"kv_lora_rank\"", e.getMessage());
    }

    @Test
    void wrongTypesAndInconsistentShapesAreNamed() {
        String tiny = ModelConfig.named("tiny").toJson();
        var type = assertThrows(ConfigException.class,
                () -> ModelConfig.fromJson(tiny.replace("\"hidden_size\" : 128", "\"hidden_size\" : \"big\"")));
        assertTrue(type.getMessage().contains("\"hidden_size\" must be an integer"), type.getMessage());
        var groups = assertThrows(ConfigException.class,
                () -> ModelConfig.fromJson(tiny.replace("\"n_group\" : 2", "\"n_group\" : 3")));
        assertTrue(groups.getMessage().contains("\"n_group\" must divide n_routed_experts"), groups.getMessage());
        var scoring = assertThrows(ConfigException.class,
                () -> ModelConfig.fromJson(tiny.replace("\"sigmoid\"", "\"relu\"")));
        assertTrue(scoring.getMessage().contains("scoring_func"), scoring.getMessage());
        assertThrows(ConfigException.class, () -> ModelConfig.fromJson("[1,2]"));
        assertThrows(ConfigException.class, () -> ModelConfig.fromJson("{not json"));
    }

    @Test
    void unknownNameSaysWhatShips() {
        var e = assertThrows(ConfigException.class, () -> ModelConfig.named("huge"));
        assertTrue(e.getMessage().contains("small, tiny"), e.getMessage());
    }
}
