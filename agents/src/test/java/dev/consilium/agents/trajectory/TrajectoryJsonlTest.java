package dev.consilium.agents.trajectory;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.workflow.Workflows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrajectoryJsonlTest {

    static Trajectory sample(String input) {
        Agent a = Agent.builder().name("a").role("r").model(ScriptedChatModel.constant("x\ny \"quoted\" é")).build();
        return Workflows.sequence(a, a).run(new Task("id-" + input, input, Map.of("answer", "42")));
    }

    @Test
    void trajectoriesWrittenAsJsonLinesReadBackEqual(@TempDir Path dir) {
        Path file = dir.resolve("runs/trajectories.jsonl");
        List<Trajectory> ts = List.of(sample("one"), sample("two"));
        try (TrajectoryJsonl out = TrajectoryJsonl.appender(file)) {
            for (Trajectory t : ts) out.append(t);
        }
        assertEquals(ts, TrajectoryJsonl.read(file));
        TrajectoryJsonl.write(file, ts.subList(0, 1));
        assertEquals(ts.subList(0, 1), TrajectoryJsonl.read(file));
    }

    @Test
    void theJsonUsesTheDocumentedFieldNames() {
        String json = sample("one").toJson();
        for (String field : List.of("\"schema\":\"consilium.trajectory/1\"", "\"runId\"", "\"workflow\":\"sequence\"",
                "\"task\":{\"id\":\"id-one\"", "\"status\":\"completed\"", "\"calls\":[{\"index\":0,\"agent\":\"a\",\"path\":\"sequence/a-1\"",
                "\"messages\":[{\"role\":\"system\",\"content\":\"r\"", "\"tokens\":[{\"id\":120,\"text\":\"x\",\"logprob\":-0.25",
                "\"usage\":{\"uncachedInputTokens\":2", "\"costUsd\":0.0", "\"latencyMicros\"", "\"cacheHit\":false")) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        assertTrue(!json.contains("\n"));
    }

    @Test
    void aLineThatIsNotATrajectoryIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.jsonl");
        Files.writeString(file, sample("one").toJson() + "\n{\"schema\":\"other/9\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrajectoryJsonl.read(file));
        assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
    }
}
