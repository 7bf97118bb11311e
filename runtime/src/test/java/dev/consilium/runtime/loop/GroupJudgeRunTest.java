package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.judge.GroupJudge;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.cli.OracleJudgeProvider;
import dev.consilium.runtime.verifier.JudgeAgreement;
import dev.langchain4j.model.chat.ChatModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Group judging in the loop: one judge call per task group, each rollout its own verdict (an unscored one abstains
 * alone), gold probes judged in groups of the same size; from the builder and from an experiment file's
 * {@code "mode": "group"}, over an API judge and over a built-in one; calibration measures it as the loop uses it.
 */
class GroupJudgeRunTest {
    static final Pattern COUNT = Pattern.compile("There are (\\d+) candidates");
    static LoopFixture fixture;
    static List<TaskRecord> train, heldout;

    @BeforeAll
    static synchronized void setUp() {
        if (fixture != null) return;
        try {
            fixture = LoopFixture.create(Files.createTempDirectory("group"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        train = TaskReader.jsonl().read(fixture.train(), true);
        heldout = TaskReader.jsonl().read(fixture.heldout(), true).subList(0, 2);
    }

    /** The candidates' count in a group prompt. */
    static int count(String prompt) {
        Matcher m = COUNT.matcher(prompt);
        assertTrue(m.find(), prompt);
        return Integer.parseInt(m.group(1));
    }

    /** What a group judge that works each arithmetic task out writes; {@code skip} (1-based, 0: none) it leaves unscored. */
    static String oracle(String prompt, int skip) {
        StringBuilder out = new StringBuilder("Checked each.\n");
        for (int k = 1; k <= count(prompt); k++) {
            if (k == skip) continue;
            boolean right = OracleJudgeProvider.correct(prompt, ScriptedJudgeModels.fenced(prompt, "candidate_" + k));
            out.append("Candidate ").append(k).append(": Score: ").append(right ? 1 : 0).append('\n');
        }
        return out.toString().strip();
    }

    static GroupJudge groupJudge(ChatModel model) {
        return PluginRegistry.load(GroupJudgeRunTest.class.getClassLoader()).groupJudgePrompt(PluginRegistry.GROUP, "p")
                .judge(model, "test/group", 1);
    }

    static List<GoldItem> gold() {
        List<GoldItem> gold = new ArrayList<>();
        for (int a = 2; a < 6; a++) {
            String task = "What is " + a + " + 3?", right = String.valueOf(a + 3);
            gold.add(new GoldItem("g" + a + "-right", "right", task, "The answer is " + right + ".", null, right, 1.0));
            gold.add(new GoldItem("g" + a + "-off", "digit-off", task, String.valueOf(a + 4), null, right, 0.0));
        }
        return gold;
    }

    static ExperimentRunBuilder experiment(Path out, ChatModel judge) {
        return ExperimentRun.builder().name("group").policy(fixture.policy())
                .workflow(WorkflowFactory.standard(), WorkflowSpec.of("single")).tasks(train, heldout)
                .groupJudge(groupJudge(judge), 1.0).probes(new GoldProbes(gold(), 8))
                .algorithm(new Algorithm.Grpo(0.01, 0.2, 0.28, 0, 1, 0))
                .rounds(1).tasksPerRound(3).rolloutsPerTask(4).seed(1).out(out).log(LoopFixture.quiet());
    }

    @Test
    void aRoundIsJudgedOneCallPerTaskGroupWithItsProbesInGroupsOfTheSameSize(@TempDir Path dir) {
        ScriptedJudgeModels.Recording judge = new ScriptedJudgeModels.Recording(p -> oracle(p, 0));
        ExperimentRun.Result r = experiment(dir.resolve("run"), judge).build().run();

        assertEquals(3 + 8, judge.prompts.size(), "3 task groups and 8 probes, one call each: " + judge.prompts.size());
        for (String p : judge.prompts) assertEquals(4, count(p), "every call judges a group of G = 4");
        JsonNode m = r.after();
        assertEquals(m.get("rollout_true_accuracy").asDouble(), m.get("reward_mean").asDouble(), 1e-9, m.toString());
        assertEquals(1.0, m.get("judge_agreement").asDouble(), m.toString());
        assertEquals(1.0, m.get("probe_agreement").asDouble(), m.toString());
        assertEquals(8, m.get("probes").asInt());
        assertEquals(0.0, m.get("abstain_rate").asDouble(), m.toString());
    }

    @Test
    void anAnswerTheGroupJudgeLeftUnscoredAbstainsAloneAndTheOthersKeepTheirRewards(@TempDir Path dir) {
        Path out = dir.resolve("run");
        ExperimentRun.Result r = experiment(out, new ScriptedJudgeModels.Recording(p -> oracle(p, 2))).build().run();
        assertEquals(0.25, r.after().get("abstain_rate").asDouble(), 1e-9, "one answer in each group of 4: " + r.after());
        int scored = 0, abstained = 0;
        for (JsonNode v : LoopFixture.lines(out.resolve("verdicts.jsonl"))) {
            if (v.get("judges").get(0).get("type").asText().equals("score")) scored++; else abstained++;
        }
        assertEquals(9, scored);
        assertEquals(3, abstained);
    }

    @Test
    void calibrationMeasuresAGroupJudgeInGroupsOfTheLoopsSize() {
        ScriptedJudgeModels.Recording model = new ScriptedJudgeModels.Recording(p -> oracle(p, 0));
        JudgeAgreement a = JudgeAgreement.measure(new GroupJudgeFunction(groupJudge(model)), gold(), 4);
        assertEquals(8, a.overall().items());
        assertEquals(1.0, a.overall().accuracy());
        assertEquals(8, model.prompts.size(), "one group call per item");
        for (String p : model.prompts) assertEquals(4, count(p));
        ScriptedJudgeModels.Recording pointwise = ScriptedJudgeModels.oracle();
        var judge = PluginRegistry.load(getClass().getClassLoader()).judgePrompt(PluginRegistry.POINTWISE, "p").judge(pointwise, "x", 1);
        List<Verdict> alone = ExperimentJudges.judge(judge, List.of(JudgedItem.of("What is 2 + 3?", "5", "5")), 4, 0);
        assertInstanceOf(Verdict.Score.class, alone.getFirst());
        assertEquals(1, pointwise.prompts.size(), "a pointwise judge is measured on each item alone, as before");
    }

    /**
     * An OpenAI-compatible group judge on loopback, started, that answers each call as {@link #oracle} does with
     * {@code skip}, recording each call's prompt in {@code prompts}; the caller stops it.
     */
    static HttpServer oracleServer(int skip, List<String> prompts) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            JsonNode req = LoopFixture.JSON.readTree(exchange.getRequestBody());
            String prompt = "";
            for (JsonNode msg : req.get("messages")) if (msg.get("role").asText().equals("user")) prompt = msg.get("content").asText();
            prompts.add(prompt);
            ObjectNode resp = LoopFixture.JSON.createObjectNode().put("id", "x").put("object", "chat.completion").put("created", 0)
                    .put("model", "judge");
            ObjectNode choice = resp.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", oracle(prompt, skip));
            resp.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
            byte[] body = resp.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
        return server;
    }

    @Test
    void anExperimentFilesGroupJudgeRunsOverAnOpenAiCompatibleApi(@TempDir Path dir) throws IOException {
        List<String> prompts = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer server = oracleServer(0, prompts);
        try {
            Path providers = Files.writeString(dir.resolve("providers.json"), """
                    {"deployments": [{"model": "openai-compatible/judge", "baseUrl": "http://127.0.0.1:%d/v1"}]}
                    """.formatted(server.getAddress().getPort()));
            Path out = dir.resolve("run");
            ObjectNode e = fixture.experiment(out).put("rounds", 1).put("tasks_per_round", 2).put("rollouts_per_task", 3);
            e.putArray("judges").addObject().put("model", "openai-compatible/judge").put("mode", "group");
            e.put("providers", providers.toString());
            ExperimentRun.start(LoopFixture.parse(e), LoopFixture.quiet()).run();
            assertEquals(2, prompts.size(), "one call per task group: " + prompts.size());
            for (String p : prompts) assertEquals(3, count(p));
            List<JsonNode> verdicts = LoopFixture.lines(out.resolve("verdicts.jsonl"));
            assertEquals(6, verdicts.size());
            for (JsonNode v : verdicts) {
                assertEquals("score", v.get("judges").get(0).get("type").asText(), v.toString());
                assertEquals(v.get("exact_match").asBoolean(), v.get("judges").get(0).get("normalized").asDouble() >= 0.5, v.toString());
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anExperimentFilesGroupJudgeRunsOnTheBuiltInModel(@TempDir Path dir) {
        Path judge = dir.resolve("judge");
        dev.consilium.moe.checkpoint.ModelCheckpoint.save(judge, new dev.consilium.moe.model.DeepSeekV3Model(LoopFixture.config(1024), 9),
                dev.consilium.moe.checkpoint.ModelCheckpoint.load(fixture.policy()).tokenizer(), null);
        Path out = dir.resolve("run");
        ObjectNode e = fixture.experiment(out).put("rounds", 1).put("tasks_per_round", 2).put("rollouts_per_task", 2);
        e.putArray("judges").addObject().put("model", "builtin/" + judge).put("mode", "group");
        e.put("allow_abstaining_judges", true);   // an untrained model writes no verdict; the group path is what this checks
        ExperimentRun.start(LoopFixture.parse(e), LoopFixture.quiet()).run();
        List<JsonNode> verdicts = LoopFixture.lines(out.resolve("verdicts.jsonl"));
        assertEquals(4, verdicts.size());
        for (JsonNode v : verdicts) assertEquals("builtin/" + judge, v.get("judges").get(0).get("judge").asText(), v.toString());
        // Two rollouts of one task share one call's reply.
        assertEquals(verdicts.get(0).get("judges").get(0).get("raw"), verdicts.get(1).get("judges").get(0).get("raw"));
    }

    @Test
    void aGroupJudgeWithPerTurnCreditOrAnUnknownModeIsOneErrorBeforeAnythingIsWritten(@TempDir Path dir) {
        Path out = dir.resolve("run");
        ObjectNode e = fixture.experiment(out).put("credit", "per-turn");
        e.putArray("judges").addObject().put("model", "openai/gpt-4o-mini").put("mode", "group");
        var perTurn = assertThrows(IllegalArgumentException.class, () -> LoopFixture.parse(e));
        assertTrue(perTurn.getMessage().contains("\"judges[0].mode\": a group judge scores whole transcripts side by side"), perTurn.getMessage());
        e.put("credit", "outcome");
        ((ObjectNode) e.get("judges").get(0)).put("mode", "panel");
        var mode = assertThrows(IllegalArgumentException.class, () -> LoopFixture.parse(e));
        assertTrue(mode.getMessage().contains("\"judges[0].mode\" must be pointwise or group, was panel"), mode.getMessage());
        var builder = assertThrows(IllegalArgumentException.class, () -> experiment(out, ScriptedJudgeModels.oracle()).perTurnCredit(true).build());
        assertTrue(builder.getMessage().contains("a group judge scores whole transcripts side by side"), builder.getMessage());
        assertFalse(Files.exists(out));
    }
}
