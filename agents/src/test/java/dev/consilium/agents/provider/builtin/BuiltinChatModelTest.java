package dev.consilium.agents.provider.builtin;

import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.Providers;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class BuiltinChatModelTest {
    static BpeTokenizer tokenizer;
    static DeepSeekV3Model weights;
    static BuiltinModel model;

    @BeforeAll
    static void load() {
        tokenizer = BpeTokenizer.trainer().vocabSize(300)
                .train("the solver and the critic answer the question with a number. ".repeat(20));
        ModelConfig c = ModelConfig.fromJson("""
                {"vocab_size": 320, "hidden_size": 32, "intermediate_size": 48, "moe_intermediate_size": 16,
                 "num_hidden_layers": 2, "first_k_dense_replace": 1, "num_attention_heads": 2,
                 "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2,
                 "n_group": 2, "topk_group": 1, "scoring_func": "sigmoid", "routed_scaling_factor": 1.0,
                 "norm_topk_prob": true, "q_lora_rank": null, "kv_lora_rank": 16, "qk_nope_head_dim": 8,
                 "qk_rope_head_dim": 8, "v_head_dim": 8, "rope_theta": 10000.0, "rope_scaling": null,
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "num_nextn_predict_layers": 0}
                """);
        weights = new DeepSeekV3Model(c, 3);
        model = BuiltinModel.of("builtin/test", weights, tokenizer);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static ChatRequest request(int seed, int maxTokens) {
        return ChatRequest.builder()
                .messages(SystemMessage.from("You are the solver."), UserMessage.from("the question"))
                .parameters(OpenAiChatRequestParameters.builder().temperature(1.0).seed(seed).maxOutputTokens(maxTokens).build())
                .build();
    }

    @Test
    void aSeededRequestIsReproducibleAndReportsUsageTokensAndLogprobs() {
        ChatModel chat = new BuiltinChatModel(model);
        ChatResponse a = chat.chat(request(7, 12)), b = chat.chat(request(7, 12));
        assertEquals(a.aiMessage().text(), b.aiMessage().text());
        BuiltinResponseMetadata m = (BuiltinResponseMetadata) a.metadata();
        assertArrayEquals(m.completionTokens(), ((BuiltinResponseMetadata) b.metadata()).completionTokens());
        assertEquals(m.promptTokens().length, a.tokenUsage().inputTokenCount());
        assertEquals(m.completionTokens().length, a.tokenUsage().outputTokenCount());
        assertTrue(a.finishReason() == FinishReason.STOP || a.finishReason() == FinishReason.LENGTH);
        LogprobsMetadata lp = (LogprobsMetadata) a.metadata();
        assertEquals(m.completionTokens().length, lp.logprobs().size());
        for (int i = 0; i < lp.logprobs().size(); i++) {
            assertEquals(m.completionTokens()[i], lp.logprobs().get(i).id());
            assertTrue(lp.logprobs().get(i).logprob() <= 0);
            assertEquals(BuiltinRequests.DEFAULT_TOP_LOGPROBS, lp.logprobs().get(i).top().size());
        }
    }

    @Test
    void streamingDeliversThePiecesOfTheSameAnswer() throws Exception {
        ChatResponse whole = new BuiltinChatModel(model).chat(request(11, 16));
        StringBuilder pieces = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        new BuiltinStreamingChatModel(model, java.util.List.of()).chat(request(11, 16), new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String partial) { pieces.append(partial); }
            @Override public void onCompleteResponse(ChatResponse r) { done.complete(r); }
            @Override public void onError(Throwable t) { done.completeExceptionally(t); }
        });
        ChatResponse streamed = done.get(20, TimeUnit.SECONDS);
        assertEquals(whole.aiMessage().text(), streamed.aiMessage().text());
        assertEquals(whole.aiMessage().text(), pieces.toString());
    }

    @Test
    void toolsAreRefusedWithAClearError() {
        ChatRequest withTools = ChatRequest.builder().messages(UserMessage.from("hi"))
                .toolSpecifications(ToolSpecification.builder().name("add").build()).build();
        var e = assertThrows(ProviderException.class, () -> new BuiltinChatModel(model).chat(withTools));
        assertTrue(e.getMessage().contains("does not call tools"), e.getMessage());
    }

    @Test
    void jsonModeChecksTheObjectAndItsRequiredKeys() {
        ResponseFormat plain = ResponseFormat.JSON;
        assertTrue(BuiltinChatModel.validJson(" {\"score\": 3} ", plain));
        assertFalse(BuiltinChatModel.validJson("score: 3", plain));
        assertFalse(BuiltinChatModel.validJson("[1]", plain));
        ResponseFormat schema = ResponseFormat.builder().type(dev.langchain4j.model.chat.request.ResponseFormatType.JSON)
                .jsonSchema(JsonSchema.builder().name("verdict").rootElement(JsonObjectSchema.builder()
                        .addIntegerProperty("score").required("score").build()).build()).build();
        assertTrue(BuiltinChatModel.validJson("{\"score\": 3}", schema));
        assertFalse(BuiltinChatModel.validJson("{\"rationale\": \"x\"}", schema));
    }

    @Test
    void aBuiltinRefLoadsTheCheckpointDirectoryAndAMissingOneIsNamed(@TempDir Path dir) {
        ModelCheckpoint.save(dir.resolve("policy"), weights, tokenizer, null);
        Providers providers = Providers.builder().build();
        ChatResponse r = providers.chatModel("builtin/" + dir.resolve("policy")).chat(request(7, 12));
        assertEquals(new BuiltinChatModel(model).chat(request(7, 12)).aiMessage().text(), r.aiMessage().text());
        var e = assertThrows(ProviderException.class, () -> providers.chatModel("builtin/" + dir.resolve("nothing")).chat("hi"));
        assertTrue(e.getMessage().contains("no checkpoint at " + dir.resolve("nothing")), e.getMessage());
    }
}
