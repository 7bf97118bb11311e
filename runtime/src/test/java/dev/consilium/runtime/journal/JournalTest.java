package dev.consilium.runtime.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.provider.Secrets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.*;

class JournalTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode record(String id, int value) {
        return JSON.createObjectNode().put("id", id).put("value", value);
    }

    @Test
    void recordsSurviveReopeningAndARepeatedIdIsNotAppendedTwice(@TempDir Path dir) {
        Path file = dir.resolve("rewards.jsonl");
        try (Journal j = Journal.open(file)) {
            assertTrue(j.append(record("r1/t0/s0", 1)));
            assertTrue(j.append(record("r1/t0/s1", 2)));
        }
        try (Journal j = Journal.open(file)) {
            assertEquals(2, j.records().size());
            assertFalse(j.append(record("r1/t0/s0", 1)), "a replayed record is skipped");
            assertTrue(j.append(record("r1/t1/s0", 3)));
            assertEquals(3, j.records().size());
        }
        try (Journal j = Journal.open(file)) {
            assertEquals(3, j.records().size());
            assertEquals(3, j.records().get(2).get("value").intValue());
        }
    }

    @Test
    void aLineCutShortByACrashIsDroppedAndEveryWholeRecordKept(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        try (Journal j = Journal.open(file)) {
            j.append(record("a", 1));
            j.append(record("b", 2));
        }
        Files.writeString(file, "{\"id\":\"c\",\"val", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (Journal j = Journal.open(file)) {
            assertEquals(2, j.records().size());
            assertTrue(j.append(record("c", 3)));
        }
        assertEquals(3, Files.readAllLines(file).size());
        try (Journal j = Journal.open(file)) {
            assertEquals(3, j.records().size());
        }
    }

    @Test
    void aDamagedCompleteLineIsAnErrorNamingTheFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("verdicts.jsonl");
        Files.writeString(file, "{\"id\":\"a\"}\nnot json\n");
        RunException e = assertThrows(RunException.class, () -> Journal.open(file));
        assertTrue(e.getMessage().startsWith(file + ": line 2 is not JSON"), e.getMessage());
        Files.writeString(file, "{\"id\":\"a\"}\n{\"x\":1}\n");
        e = assertThrows(RunException.class, () -> Journal.open(file));
        assertTrue(e.getMessage().contains("line 2 has no \"id\""), e.getMessage());
    }

    @Test
    void aConfiguredKeyInARecordIsRedactedBeforeItIsWritten(@TempDir Path dir) throws Exception {
        String key = "sk-JOURNAL-7f6e5d4c3b2a1908";
        Secrets.register("JUDGE_KEY", key);
        Path file = dir.resolve("verdicts.jsonl");
        ObjectNode verdict = JSON.createObjectNode().put("id", "r1/t0/s0")
                .put("reason", "judge failed: HTTP 401: Incorrect API key provided: " + key);

        try (Journal j = Journal.open(file)) {
            j.append(verdict);
            assertEquals("judge failed: HTTP 401: Incorrect API key provided: [redacted $JUDGE_KEY]",
                    j.records().getFirst().get("reason").asText(), "what the run reads back is what was written");
        }

        String written = Files.readString(file);
        assertFalse(written.contains(key), written);
        assertTrue(written.contains("[redacted $JUDGE_KEY]"), written);
    }
}
