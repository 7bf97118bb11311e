package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.runtime.server.OpenAiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.consilium.runtime.loop.LoopFixture.lines;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The demo experiment with its judge swapped for an API model: the judge's {@code model} line names an
 * {@code openai-compatible/} deployment, here the project's own server on a local port serving the same judge
 * checkpoint that the built-in variant loads in-process.
 */
class ApiJudgeRunTest {
    @TempDir
    static Path dir;
    static LoopFixture fixture;
    static Path judge;
    static OpenAiServer server;

    @BeforeAll
    static void serveTheJudge() {
        fixture = LoopFixture.create(dir);
        // An untrained judge: what it writes is no verdict, so every judgment abstains, which is what this checks.
        BpeTokenizer tokenizer = ModelCheckpoint.load(fixture.policy()).tokenizer();
        judge = dir.resolve("judge");
        DeepSeekV3Model weights = new DeepSeekV3Model(LoopFixture.config(1024), 9);
        ModelCheckpoint.save(judge, weights, tokenizer, null);
        server = OpenAiServer.builder().modelName("judge").port(0)
                .generator(Generator.builder().model(weights).tokenizer(tokenizer).maxBatch(8).build()).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theSameJudgeBehindAnOpenAiCompatibleServerGivesTheSameVerdictsReportedAsAbstentions() throws IOException {
        Path providers = Files.writeString(dir.resolve("providers.json"), """
                {"deployments": [{"model": "openai-compatible/judge", "baseUrl": "%s/v1"}]}""".formatted(server.baseUrl()));
        Path builtin = run("builtin", "builtin/" + judge, null);
        Path api = run("api", "openai-compatible/judge", providers);

        List<JsonNode> verdicts = lines(api.resolve("verdicts.jsonl"));
        assertEquals(24, verdicts.size());
        Map<String, JsonNode> rewards = new HashMap<>();
        for (JsonNode r : lines(api.resolve("rewards.jsonl"))) rewards.put(r.get("id").asText(), r);
        for (JsonNode v : verdicts) {
            JsonNode j = v.get("judges").get(0);
            assertEquals("openai-compatible/judge", j.get("judge").asText(), v.toString());
            assertFalse(j.get("raw").asText().isEmpty(), "the server answered: " + v);
            assertEquals("abstain", j.get("type").asText(), v.toString());
            assertFalse(j.get("reason").asText().isEmpty(), v.toString());
            assertEquals("abstain", v.get("combined").get("type").asText(), "a missing part is not a zero part: " + v);
            JsonNode reward = rewards.get(v.get("id").asText());
            assertTrue(reward.get("reward").isNull() && reward.get("advantage").isNull(), "never a 0 reward: " + reward);
        }
        for (JsonNode m : lines(api.resolve("metrics.jsonl")).subList(1, 3)) {
            assertEquals(1.0, m.get("abstain_rate").asDouble(), m.toString());
            assertEquals(0, m.get("trained_samples").asInt(), "nothing to learn from abstentions: " + m);
            assertFalse(m.has("reward_mean"), m.toString());
        }

        // The greedy judge in-process and behind the server read the same prompts and write the same words.
        List<JsonNode> inProcess = lines(builtin.resolve("verdicts.jsonl"));
        for (int i = 0; i < verdicts.size(); i++) {
            JsonNode a = verdicts.get(i).get("judges").get(0), b = inProcess.get(i).get("judges").get(0);
            assertEquals(b.get("raw"), a.get("raw"), verdicts.get(i).get("id").asText());
            assertEquals(b.get("reason"), a.get("reason"), verdicts.get(i).get("id").asText());
        }
    }

    /**
     * The fixture's experiment judged by {@code judgeModel} (weight 1) with exact match kept at weight 0, going on
     * when every verdict of a round abstains.
     */
    private static Path run(String name, String judgeModel, Path providers) {
        Path out = dir.resolve(name);
        ObjectNode e = fixture.experiment(out);
        e.putArray("judges").addObject().put("model", judgeModel).put("prompt", "arithmetic-judge").put("weight", 1.0);
        ((ObjectNode) e.get("rewards").get(0)).put("weight", 0.0);
        e.put("allow_abstaining_judges", true);   // every verdict abstains, which is what this checks
        if (providers != null) e.put("providers", providers.toString());
        ExperimentRun.start(LoopFixture.parse(e), LoopFixture.quiet()).run();
        return out;
    }
}
