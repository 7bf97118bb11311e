package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static dev.consilium.runtime.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainBenchTest {

    @Test
    void printsTheMedianStepWithTheMachinesFmaCapacityBesideIt() throws Exception {
        MainTest.Run r = run("bench", "train", "--config", "tiny", "--batch-size", "2", "--seq-len", "16",
                "--warmup", "0", "--steps", "3");

        assertEquals(0, r.exit(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        double step = o.get("step_s").asDouble();
        assertTrue(o.get("step_s_min").asDouble() <= step && step <= o.get("step_s_max").asDouble(), o.toString());
        assertEquals(Math.round(2 * 16 / step), o.get("tokens_per_s").asDouble(), 0.01 * o.get("tokens_per_s").asDouble() + 1, o.toString());
        assertTrue(0 < o.get("fma_gflops_min").asDouble(), o.toString());
        assertTrue(o.get("fma_gflops_min").asDouble() <= o.get("fma_gflops_median").asDouble(), o.toString());
        assertTrue(o.get("fma_gflops_median").asDouble() <= o.get("fma_gflops_max").asDouble(), o.toString());
        assertEquals(3, o.get("timed_steps").asInt());
    }

    @Test
    void refusesNoSteps() {
        MainTest.Run r = run("bench", "train", "--config", "tiny", "--steps", "0");

        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--steps must be at least 1"), r.err());
    }
}
