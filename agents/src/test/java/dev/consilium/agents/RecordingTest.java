package dev.consilium.agents;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.ResponseCache;
import dev.consilium.agents.provider.decorator.CacheChatModel;
import dev.consilium.agents.provider.decorator.LedgerChatModel;
import dev.consilium.agents.provider.ledger.Ledger;
import dev.consilium.agents.provider.ledger.ModelPrice;
import dev.consilium.agents.provider.ledger.Usage;
import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;
import dev.langchain4j.model.chat.ChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordingTest {

    @Test
    void aCallRecordsItsAgentPathTokensLogprobsUsageAndTiming() {
        Agent solver = Agent.builder().name("solver").model(ScriptedChatModel.constant("42")).build();
        Trajectory t = Workflows.sequence(solver).named("pipeline").run(Task.of("id-1", "17 + 25?"));

        ModelCall c = t.calls().getFirst();
        assertEquals("solver", c.agent());
        assertEquals("pipeline/solver", c.path());
        assertEquals("scripted", c.model());
        assertEquals("42", c.output());
        assertEquals(2, c.tokens().size());
        assertEquals('4', c.tokens().getFirst().id());
        assertEquals(-0.5, c.tokens().get(1).logprob());
        assertEquals(new Usage(1, 0, 0, 1, 0), c.usage());
        assertTrue(c.latencyMicros() >= 0 && c.startMicros() >= 0);
        assertEquals("id-1", t.task().id());
        assertEquals(Trajectory.COMPLETED, t.status());
    }

    @Test
    void costComesFromTheLedgerAndACacheHitCostsNothing(@TempDir Path dir) {
        Ledger ledger = Ledger.builder().build();
        Deployment d = Deployment.of("openai/gpt-4o-mini").toBuilder().price(ModelPrice.of(0.01, 0.02)).build();
        ChatModel model = new CacheChatModel(new LedgerChatModel(ScriptedChatModel.constant("42"), ledger, d),
                ResponseCache.open(dir, CacheMode.READ_WRITE), "openai/gpt-4o-mini");
        Agent solver = Agent.builder().name("solver").model(model).build();

        ModelCall first = solver.run(Task.of("17 + 25?"), RunOptions.builder().runId("r1").build()).calls().getFirst();
        ModelCall again = solver.run(Task.of("17 + 25?")).calls().getFirst();

        assertEquals(0.01 * 1 + 0.02 * 1, first.costUsd(), 1e-12);
        assertFalse(first.cacheHit());
        assertTrue(again.cacheHit());
        assertEquals(0.0, again.costUsd());
        assertEquals("r1", ledger.records().getFirst().run());
        assertEquals("solver", ledger.records().getFirst().agent());
    }

    @Test
    void aModelWrappedTwiceIsRecordedOnce() {
        ChatModel once = RecordingChatModel.wrap(ScriptedChatModel.constant("x"));
        Agent a = Agent.builder().name("a").model(RecordingChatModel.wrap(once)).build();
        assertEquals(1, a.run(Task.of("q")).calls().size());
    }

    @Test
    void outsideARunTheSeamOnlyForwards() {
        ChatModel m = RecordingChatModel.wrap(ScriptedChatModel.constant("hello"));
        assertEquals("hello", m.chat("hi"));
    }
}
