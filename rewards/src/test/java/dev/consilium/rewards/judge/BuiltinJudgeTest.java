package dev.consilium.rewards.judge;

import dev.consilium.agents.provider.Providers;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tensor.IntList;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TemplateMessage;
import dev.consilium.moe.train.TokenDataset;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.Trainer;
import dev.consilium.rewards.verdict.Distribution;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The built-in model as a judge, end to end through the code path an API judge takes: a {@code builtin/...} ref
 * resolved by {@link Providers}, the pointwise prompt with fenced content, the verdict parser, and a score
 * weighted by the logprobs the built-in model reports.
 */
class BuiltinJudgeTest {
    static final String VERDICT = "The answer is right.\nScore: 1";

    @Test
    void aBuiltInJudgeScoresThroughProvidersWithALogprobWeightedScore(@TempDir Path dir) {
        BpeTokenizer tokenizer = BpeTokenizer.trainer().vocabSize(300)
                .train("The answer is right. Score: 1 Task: What is 2 + 3? answer judge rubric " .repeat(30));
        ModelConfig c = ModelConfig.fromJson("""
                {"vocab_size": 320, "hidden_size": 32, "intermediate_size": 48, "moe_intermediate_size": 16,
                 "num_hidden_layers": 2, "first_k_dense_replace": 1, "num_attention_heads": 2,
                 "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2,
                 "n_group": 2, "topk_group": 1, "scoring_func": "sigmoid", "routed_scaling_factor": 1.0,
                 "norm_topk_prob": true, "q_lora_rank": null, "kv_lora_rank": 16, "qk_nope_head_dim": 8,
                 "qk_rope_head_dim": 8, "v_head_dim": 8, "rope_theta": 10000.0, "rope_scaling": null,
                 "max_position_embeddings": 512, "rms_norm_eps": 1e-6, "num_nextn_predict_layers": 0}
                """);
        // A judge that has learned one habit: shown this prompt with any content, it answers VERDICT. Its
        // training prompts are rendered by the judge itself, fences and nonces included.
        PromptTemplate compact = PromptTemplate.of("compact", "1", "You are the judge.", "Task: {{task}}\n{{answer}}");
        ChatTemplate template = ChatTemplate.deepSeekV3(tokenizer);
        IntList stream = new IntList(1 << 14);
        for (int i = 0; i < 40; i++) {
            List<TemplateMessage> seen = new ArrayList<>();
            ChatModel capture = new ChatModel() {
                @Override
                public ChatResponse doChat(ChatRequest request) {
                    for (var m : request.messages()) {
                        if (m instanceof SystemMessage sm) seen.add(TemplateMessage.system(sm.text()));
                        if (m instanceof UserMessage um) seen.add(TemplateMessage.user(um.singleText()));
                    }
                    return ChatResponse.builder().aiMessage(AiMessage.from(VERDICT)).build();
                }
            };
            PointwiseJudge.builder().model(JudgeModel.builder().model(capture).name("capture").nonceSeed(i).build())
                    .rubric("r").scale(Scale.BINARY).prompt(compact).build()
                    .evaluate(JudgedItem.of("What is " + i + " + 3?", Integer.toString(i + 3 + i % 2)));
            seen.add(TemplateMessage.assistant(VERDICT));
            stream.addAll(template.render(seen, false).ids());
        }
        DeepSeekV3Model model = new DeepSeekV3Model(c, 5);
        Trainer trainer = new Trainer(model, TrainOptions.builder().steps(250).batchSize(8).seqLen(96).lr(1e-2f)
                .lossWeights(LossWeights.NONE).seed(3).build());
        TokenDataset data = TokenDataset.of(stream.toArray());
        while (trainer.steps() < 250) trainer.step(data);
        ModelCheckpoint.save(dir.resolve("judge"), model, tokenizer, null);

        Providers providers = Providers.builder().build();
        PointwiseJudge judge = PointwiseJudge.builder()
                .model(JudgeModel.builder().model(providers.chatModel("builtin/" + dir.resolve("judge"))).name("builtin judge").build())
                .rubric("The answer is the exact result.").scale(Scale.BINARY).probabilityWeighted(2)
                // A small model's context is short: the same judge with a compact prompt, as users replace it.
                .prompt(compact).build();
        Verdict v = judge.evaluate(JudgedItem.of("What is 2 + 3?", "5"));

        Verdict.Score s = assertInstanceOf(Verdict.Score.class, v, () -> "verdict: " + v);
        assertEquals(Distribution.Source.LOGPROBS, s.distribution().source(), "the built-in model always reports logprobs");
        assertTrue(s.value() > 0.5 && s.value() <= 1.0, "probability-weighted score near 1: " + s.value());
        assertTrue(s.provenance().rawOutput().endsWith("Score: 1"), s.provenance().rawOutput());
    }
}
