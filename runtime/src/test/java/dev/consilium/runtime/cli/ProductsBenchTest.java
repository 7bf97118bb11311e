package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.consilium.runtime.bench.ProductsBench;

import static dev.consilium.runtime.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProductsBenchTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny", "small"})
    void theProductsAreExactlyTheModelsMatricesOutsideMtp(String name) {
        ModelConfig c = ModelConfig.named(name);
        long fromModel = 0;
        for (NamedTensor t : DeepSeekV3Model.unloaded(c).parameters()) {
            boolean mtp = t.name().startsWith("model.layers." + c.numHiddenLayers() + ".");
            if (t.shape().length == 2 && !mtp && !t.name().equals("model.embed_tokens.weight")) fromModel += t.size();
        }
        long fromBench = 0;
        for (ProductsBench.Product p : ProductsBench.step(c, 1024)) fromBench += (long) p.c() * p.oc() * p.count();
        assertEquals(fromModel, fromBench);
    }

    @Test
    void routedExpertsShareTheTokensTopKTimesOver() {
        ModelConfig c = ModelConfig.named("small");
        for (ProductsBench.Product p : ProductsBench.step(c, 2048)) {
            if (p.name().startsWith("expert_")) assertEquals(2048 * c.numExpertsPerTok() / c.nRoutedExperts(), p.n());
            else assertEquals(2048, p.n(), p.name());
        }
    }

    @Test
    void printsBestAndMedianSecondsAndTheProductList() throws Exception {
        MainTest.Run r = run("bench", "products", "--config", "tiny", "--warmup-s", "0", "--rounds", "3");

        assertEquals(0, r.exit(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        double best = o.get("products_s_per_step").asDouble(), median = o.get("products_s_per_step_median").asDouble();
        assertTrue(best > 0 && best <= median, o.toString());
        assertEquals(16 * 64, o.get("tokens_per_step").asInt());
        double gflop = 0, byOpBest = 0, byOpMedian = 0;
        for (JsonNode p : o.get("products")) {
            gflop += 6.0 * p.get("n").asInt() * p.get("c").asInt() * p.get("oc").asInt() * p.get("count").asInt() / 1e9;
            byOpBest += o.get("seconds_by_op_best").get(p.get("name").asText()).asDouble();
            byOpMedian += o.get("seconds_by_op_median").get(p.get("name").asText()).asDouble();
        }
        assertEquals(gflop, o.get("products_gflop_per_step").asDouble(), 0.01);
        assertEquals(best, byOpBest, 1e-3);
        assertEquals(median, byOpMedian, 1e-3);
        assertEquals(3, o.get("rounds").asInt());
        assertTrue(0 < o.get("fma_gflops_min").asDouble(), o.toString());
        assertTrue(o.get("fma_gflops_min").asDouble() <= o.get("fma_gflops_median").asDouble(), o.toString());
        assertTrue(o.get("fma_gflops_median").asDouble() <= o.get("fma_gflops_max").asDouble(), o.toString());
    }

    @Test
    void refusesNoRounds() {
        MainTest.Run r = run("bench", "products", "--config", "tiny", "--rounds", "0");

        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--rounds must be at least 1"), r.err());
    }
}
