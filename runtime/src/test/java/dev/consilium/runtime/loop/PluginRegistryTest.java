package dev.consilium.runtime.loop;

import dev.consilium.rewards.function.RewardFunctions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The names experiment files can use: the built-in ones, the demo plugin's, and no name twice. */
class PluginRegistryTest {

    @Test
    void theDemoIsAPluginFoundLikeAnyOther() {
        PluginRegistry r = PluginRegistry.load(getClass().getClassLoader());
        assertTrue(r.workflows().types().contains("solver-reviser"), r.workflows().types().toString());
        assertNotNull(r.judgePrompt("arithmetic-judge", "judges[0].prompt"));
        assertNotNull(r.taskReader("arithmetic", "tasks.reader"));
        assertNotNull(r.answerCheck("arithmetic", "answer_check"));
    }

    @Test
    void aNameRegisteredTwiceIsAnErrorNamingBothOwners() {
        PluginRegistry r = PluginRegistry.load(getClass().getClassLoader());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.reward("exact_match", RewardFunctions.exactMatch()));
        assertTrue(e.getMessage().contains("reward exact_match is registered twice: by built-in"), e.getMessage());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        PluginRegistry r = PluginRegistry.load(getClass().getClassLoader());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.taskReader("csv", "tasks.reader"));
        assertEquals("\"tasks.reader\": unknown \"csv\"; known: [arithmetic, jsonl]", e.getMessage());
    }
}
