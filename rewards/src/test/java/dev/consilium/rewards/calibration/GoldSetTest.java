package dev.consilium.rewards.calibration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GoldSetTest {
    @Test
    void aPointwiseItemMayNameTheKindOfMistakeItProbes(@TempDir Path dir) {
        Path file = dir.resolve("g.jsonl");
        List<GoldItem> items = List.of(GoldItem.pointwise("a", "digit-off", "What is 1 + 1?", "solver: 3", "2", 0),
                GoldItem.pairwise("b", "What is 1 + 1?", "2", "3", "2", 1));
        GoldSet.write(file, items);
        List<GoldItem> read = GoldSet.read(file);
        assertEquals(items, read);
        assertFalse(read.get(0).isPairwise());
        assertTrue(read.get(1).isPairwise());
        assertThrows(IllegalArgumentException.class, () -> GoldItem.pointwise("c", GoldItem.PAIRWISE, "t", "a", "r", 1));
    }

    @Test
    void anItemWithoutAKindIsNamedByLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("g.jsonl");
        Files.writeString(file, "{\"id\":\"x\",\"task\":\"t\",\"answer\":\"a\",\"label\":1}\n");
        var e = assertThrows(IllegalArgumentException.class, () -> GoldSet.read(file));
        assertTrue(e.getMessage().contains("g.jsonl:1") && e.getMessage().contains("missing \"kind\""), e.getMessage());
    }
}
