package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static dev.consilium.runtime.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeBenchTest {

    @Test
    void servesEveryConcurrencyLevelOverLoopbackAndComparesWithOneRequestAtATime() throws Exception {
        // warm-up of 1 s repeats its load, as the default's 15 s does, each load with its own client
        MainTest.Run r = run("bench", "serve", "--config", "tiny", "--clients", "1,3", "--requests-per-client", "2",
                "--max-tokens", "4", "--warmup-s", "1");

        assertEquals(0, r.exit(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertEquals(2, o.get("batched").size(), o.toString());
        for (JsonNode level : o.get("batched")) {
            assertEquals(level.get("clients").asInt() * 2, level.get("requests").asInt(), o.toString());
            assertTrue(level.get("tokens_per_s").asDouble() > 0, o.toString());
        }
        assertEquals(6, o.get("one_at_a_time").get("requests").asInt(), o.toString());
        assertTrue(o.get("batching_gain").asDouble() > 0, o.toString());
    }
}
