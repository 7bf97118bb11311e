package dev.consilium.runtime.loop;

import dev.consilium.agents.provider.builtin.BuiltinModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A built-in judge's recipe carries its checkpoint's files, so an executor without the driver's filesystem loads it;
 * a refresh into a new directory is a new recipe, whose panel replaces the last one on an executor.
 */
class JudgeRecipeTest {

    @Test
    void aBuiltInJudgesCheckpointTravelsAsItsFiles(@TempDir Path dir) throws IOException {
        Path judge = Files.createDirectories(dir.resolve("judge"));
        Path models = Path.of("..").resolve("models/demo-judge");
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) Files.copy(models.resolve(f), judge.resolve(f));
        JudgeRecipe recipe = JudgeRecipe.of("builtin/" + judge, PluginRegistry.POINTWISE, 7, null);
        assertEquals(CheckpointFiles.of(judge), recipe.checkpoint());
        JudgeRecipe sent = (JudgeRecipe) SerialisingExecutor.travel(recipe);
        CheckpointFiles.delete(judge);   // what an executor on another machine sees of the driver's directory
        assertEquals(recipe, sent);
        try (BuiltinModel loaded = sent.checkpoint().load()) {
            assertNotNull(loaded);
        }
    }

    @Test
    void aRefreshedJudgeIsANewRecipeWhosePanelSupersedesTheLast(@TempDir Path dir) {
        JudgeRecipe before = new JudgeRecipe("builtin/models/demo-judge", CheckpointFiles.of(dir.resolve("a")), "arithmetic-judge", 3, null);
        JudgeRecipe after = before.refreshedInto(dir.resolve("judges/round-0001"));
        assertNotEquals(before, after);
        assertEquals(before.modelRef(), after.modelRef(), "a refreshed judge keeps its name");
        JudgePanel old = JudgePanel.sent(List.of(before)), refreshed = JudgePanel.sent(List.of(after));
        assertTrue(refreshed.supersedes(old));
        assertFalse(JudgePanel.sent(List.of(before)).supersedes(old), "the same judges are the same panel");
    }
}
