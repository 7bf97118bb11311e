package dev.consilium.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static dev.consilium.runtime.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateBenchTest {

    @Test
    void printsOneJsonObjectWithEveryFigureTheIssueAsksFor() throws Exception {
        MainTest.Run r = run("bench", "generate", "--config", "tiny", "--tokens", "8", "--warmup-s", "0", "--rounds", "3");

        assertEquals(0, r.exit(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        for (String key : new String[] {"decode_batch1_tokens_per_s", "decode_batch16_tokens_per_s", "ttft_cold_ms", "ttft_cached_ms"}) {
            assertTrue(o.get(key).asDouble() > 0, key + " in " + o);
        }
        assertTrue(o.get("decode_batch1_tokens_per_s_min").asDouble() <= o.get("decode_batch1_tokens_per_s").asDouble(), o.toString());
        assertTrue(o.get("decode_batch1_tokens_per_s").asDouble() <= o.get("decode_batch1_tokens_per_s_max").asDouble(), o.toString());
        // tiny has one MTP module, so speculation was measured; random weights draft poorly but not never
        assertTrue(o.get("mtp_acceptance").asDouble() >= 0 && o.get("mtp_acceptance").asDouble() <= 1, o.toString());
        assertTrue(o.get("mtp_speedup").asDouble() > 0, o.toString());
        // tiny: 4 layers of kv_lora_rank 32 + rope 16 floats; MHA: 4 heads of k (16 + 16) and v (16)
        assertEquals(4 * 4 * (32 + 16), o.get("kv_bytes_per_token").asInt());
        assertEquals(4 * 4 * 4 * (16 + 16 + 16), o.get("kv_bytes_per_token_mha").asInt());
        assertEquals(3, o.get("rounds").asInt());
    }

    @Test
    void refusesNoRounds() {
        MainTest.Run r = run("bench", "generate", "--config", "tiny", "--rounds", "0");

        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--rounds must be at least 1"), r.err());
    }
}
