package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.runtime.cli.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** /v1/completions (text and token-id prompts, echo, logprobs) and the wire details of both endpoints. */
class CompletionsEndpointTest {
    private static final String PROMPT = "the model and the expert";

    @TempDir
    static Path dir;
    static Path checkpoint;
    static OpenAiServer server;
    static Http http;

    @BeforeAll
    static void start() {
        checkpoint = TestModels.randomCheckpoint(dir.resolve("model"), 96, 11);
        server = OpenAiServer.builder().generator(TestModels.cachingGenerator(checkpoint, 4)).modelName("tiny").port(0).start();
        http = new Http(server, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode complete(String fields) {
        var r = http.post("/v1/completions", "{\"model\": \"tiny\", " + fields + "}");
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(r);
    }

    /** What {@code consilium generate} prints for these arguments. */
    static String generate(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        String[] all = Arrays.copyOf(new String[] {"generate", "--model", checkpoint.toString()}, 3 + args.length);
        System.arraycopy(args, 0, all, 3, args.length);
        assertEquals(0, cli.execute(all));
        return out.toString();
    }

    @Test
    void greedyOutputEqualsConsiliumGenerate() {
        String text = complete("\"prompt\": \"" + PROMPT + "\", \"temperature\": 0, \"max_tokens\": 12, \"seed\": 3")
                .at("/choices/0/text").asText();
        assertFalse(text.isEmpty());
        assertEquals(text + System.lineSeparator(),
                generate("--prompt", PROMPT, "--temperature", "0", "--max-tokens", "12", "--seed", "3"));

        String chat = Http.json(http.post("/v1/chat/completions", """
                {"model": "tiny", "messages": [{"role": "user", "content": "%s"}], "temperature": 0, "max_tokens": 12,
                 "seed": 3}""".formatted(PROMPT))).at("/choices/0/message/content").asText();
        assertEquals(chat + System.lineSeparator(),
                generate("--chat", "--prompt", PROMPT, "--temperature", "0", "--max-tokens", "12", "--seed", "3"));
    }

    @Test
    void aTokenIdPromptReadsAsItsText() {
        BpeTokenizer tok = TestModels.tokenizer();
        String ids = Arrays.toString(tok.encode(PROMPT));
        JsonNode byIds = complete("\"prompt\": " + ids + ", \"temperature\": 0, \"max_tokens\": 8");
        JsonNode byText = complete("\"prompt\": \"" + PROMPT + "\", \"temperature\": 0, \"max_tokens\": 8");
        assertEquals(byText.at("/choices/0/text").asText(), byIds.at("/choices/0/text").asText());
        assertEquals(tok.encode(PROMPT).length, byIds.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void echoWithLogprobsScoresThePromptFirstTokenNull() {
        JsonNode c = complete("\"prompt\": \"" + PROMPT + "\", \"temperature\": 0, \"max_tokens\": 4, \"echo\": true, \"logprobs\": 2");
        int promptTokens = TestModels.tokenizer().encode(PROMPT).length;
        JsonNode choice = c.at("/choices/0"), lp = choice.get("logprobs");
        assertTrue(choice.get("text").asText().startsWith(PROMPT));
        int generated = c.at("/usage/completion_tokens").asInt();
        assertEquals(promptTokens + generated, lp.get("tokens").size());
        assertTrue(lp.get("token_logprobs").get(0).isNull());
        assertTrue(lp.get("top_logprobs").get(0).isNull());
        for (int i = 1; i < lp.get("tokens").size(); i++) {
            assertTrue(lp.get("token_logprobs").get(i).asDouble() <= 0);
            // two alternatives, fewer only when both show the same text (halves of one character)
            int top = lp.get("top_logprobs").get(i).size();
            assertTrue(top == 2 || top == 1, lp.toString());
            assertTrue(lp.get("text_offset").get(i).asInt() >= lp.get("text_offset").get(i - 1).asInt());
        }
        assertEquals(0, lp.get("text_offset").get(0).asInt());
        assertEquals(PROMPT.length(), lp.get("text_offset").get(promptTokens).asInt(), "generated text starts after the prompt");
    }

    @Test
    void maxTokensZeroWithEchoScoresThePromptAlone() {
        JsonNode c = complete("\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 0, \"echo\": true, \"logprobs\": 0");
        int promptTokens = TestModels.tokenizer().encode(PROMPT).length;
        assertEquals(PROMPT, c.at("/choices/0/text").asText());
        assertEquals(promptTokens, c.at("/choices/0/logprobs/tokens").size());
        assertEquals("length", c.at("/choices/0/finish_reason").asText());
        assertEquals(0, c.at("/usage/completion_tokens").asInt());
        // the same prompt scored inside a longer request gives the same numbers
        JsonNode longer = complete("\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 2, \"echo\": true, \"logprobs\": 0");
        for (int i = 1; i < promptTokens; i++) {
            assertEquals(longer.at("/choices/0/logprobs/token_logprobs/" + i).asDouble(),
                    c.at("/choices/0/logprobs/token_logprobs/" + i).asDouble(), 1e-5, "token " + i);
        }
        JsonNode plain = complete("\"prompt\": \"" + PROMPT + "\", \"max_tokens\": 0, \"echo\": true");
        assertEquals(PROMPT, plain.at("/choices/0/text").asText());
    }

    @Test
    void streamedCompletionConcatenatesToTheWholeOneAndEndsWithDone() {
        String fields = "\"prompt\": \"" + PROMPT + "\", \"temperature\": 0, \"max_tokens\": 10";
        String whole = complete(fields).at("/choices/0/text").asText();
        var r = http.post("/v1/completions", "{\"model\": \"tiny\", " + fields
                + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(null));
        List<JsonNode> events = Http.events(r.body());
        assertNull(events.getLast(), "ends with data: [DONE]");
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events.subList(0, events.size() - 2)) {
            assertEquals("text_completion", e.get("object").asText());
            text.append(e.at("/choices/0/text").asText());
        }
        assertEquals(whole, text.toString());
        JsonNode usage = events.get(events.size() - 2);
        assertEquals(0, usage.get("choices").size());
        assertEquals(10, usage.at("/usage/completion_tokens").asInt());
    }

    @Test
    void chatStreamStartsWithTheRoleAndEndsWithFinishUsageAndDone() {
        var r = http.post("/v1/chat/completions", """
                {"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "temperature": 0, "max_tokens": 6,
                 "stream": true, "stream_options": {"include_usage": true}, "logprobs": true}""");
        List<JsonNode> events = Http.events(r.body());
        assertNull(events.getLast());
        assertEquals("assistant", events.getFirst().at("/choices/0/delta/role").asText());
        JsonNode last = events.get(events.size() - 3), usage = events.get(events.size() - 2);
        assertFalse(last.at("/choices/0/finish_reason").isNull(), last.toString());
        int scored = 0;
        for (JsonNode e : events.subList(1, events.size() - 3)) {
            assertEquals("chat.completion.chunk", e.get("object").asText());
            scored += e.at("/choices/0/logprobs/content").size();
        }
        assertEquals(0, usage.get("choices").size());
        int completion = usage.at("/usage/completion_tokens").asInt();
        boolean stopped = last.at("/choices/0/finish_reason").asText().equals("stop");
        assertEquals(stopped ? completion - 1 : completion, scored, "one logprob per content token; the end token has none");
    }

    @Test
    void usageCountsPrefixCacheHitsTheWayOpenAiAndDeepSeekDo() {
        String fields = "\"prompt\": \"" + PROMPT.repeat(3) + "\", \"temperature\": 0, \"max_tokens\": 2";
        complete(fields);
        JsonNode usage = complete(fields).get("usage");
        int prompt = usage.get("prompt_tokens").asInt(), hit = usage.get("prompt_cache_hit_tokens").asInt();
        assertTrue(hit > 0, usage.toString());
        assertEquals(hit, usage.at("/prompt_tokens_details/cached_tokens").asInt());
        assertEquals(prompt - hit, usage.get("prompt_cache_miss_tokens").asInt());
        assertEquals(prompt + usage.get("completion_tokens").asInt(), usage.get("total_tokens").asInt());
    }
}
