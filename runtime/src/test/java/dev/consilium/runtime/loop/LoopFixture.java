package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.PreTokenizer;
import dev.consilium.runtime.datasets.ArithmeticDataset;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.datasets.ArithmeticDialogues;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A run's inputs, built in a temporary directory: a tiny policy checkpoint and task files.
 *
 * <p>The policy is scripted so that rewards vary within a group without any training: after
 * {@code <｜Assistant｜>} it writes {@code 5} or {@code 7} with equal probability, then ends the turn. The
 * tasks are arithmetic problems whose answer is 5 or 7, so each rollout is right half the time. Its attention
 * and MLP blocks keep their random initialization (small next to the one-hot embedding), and training moves
 * every weight, so from round 2 on the whole network takes part in what is sampled.
 */
record LoopFixture(Path policy, Path train, Path heldout) {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> ANSWERS = List.of("5", "7");
    private static final int HIDDEN = 32;

    static LoopFixture create(Path dir) {
        List<Problem> train = new ArrayList<>(), heldout = new ArrayList<>();
        ArithmeticDataset.Split all = ArithmeticDataset.generate(11, 3000, 1500);
        for (Problem p : all.train()) if (ANSWERS.contains(p.answer())) train.add(p);
        for (Problem p : all.heldout()) if (ANSWERS.contains(p.answer())) heldout.add(p);
        Path tasks = dir.resolve("tasks");
        new ArithmeticDataset.Split(train, heldout).writeTo(tasks);

        List<String> corpus = new ArrayList<>();
        for (Problem p : all.train().subList(0, 400)) {
            corpus.add(ArithmeticDialogues.SOLVER_ROLE + " " + p.question() + " " + p.answer());
            corpus.add(ArithmeticDialogues.REVISER_ROLE + " " + ArithmeticDialogues.reviserPrompt(p.question(), p.answer()));
        }
        BpeTokenizer tokenizer = BpeTokenizer.trainer().vocabSize(300).preTokenizer(PreTokenizer.singleDigits()).train(corpus);
        Path policy = dir.resolve("policy");
        ModelCheckpoint.save(policy, scripted(tokenizer), tokenizer, null);
        return new LoopFixture(policy, tasks.resolve("train.jsonl"), tasks.resolve("heldout.jsonl"));
    }

    static ModelConfig config() {
        return config(256);
    }

    /** 2 layers (dense, then 4 experts), hidden 32, no MTP, vocabulary 320 for the 300-token tokenizer. */
    static ModelConfig config(int maxPositions) {
        return ModelConfig.fromJson("""
                {"vocab_size": 320, "hidden_size": %d, "intermediate_size": 48, "moe_intermediate_size": 16,
                 "num_hidden_layers": 2, "first_k_dense_replace": 1, "num_attention_heads": 2,
                 "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2,
                 "n_group": 2, "topk_group": 1, "scoring_func": "sigmoid", "routed_scaling_factor": 1.0,
                 "norm_topk_prob": true, "q_lora_rank": null, "kv_lora_rank": 16, "qk_nope_head_dim": 8,
                 "qk_rope_head_dim": 8, "v_head_dim": 8, "rope_theta": 10000.0, "rope_scaling": null,
                 "max_position_embeddings": %d, "rms_norm_eps": 1e-6, "num_nextn_predict_layers": 0}
                """.formatted(HIDDEN, maxPositions));
    }

    /**
     * Each token's embedding is a unit vector on an axis of its own ({@code <｜Assistant｜>}, 5, 7) or on axis
     * 0 (every other token); the LM head maps the assistant axis to 5 and 7 alike, and every other axis to the
     * end of the turn, with a margin that leaves no other token a chance.
     */
    private static DeepSeekV3Model scripted(BpeTokenizer tokenizer) {
        DeepSeekV3Model m = new DeepSeekV3Model(config(), 5);
        int assistant = tokenizer.tokenId(ChatTemplate.ASSISTANT), end = tokenizer.tokenId(ChatTemplate.END_OF_SENTENCE);
        int[] answers = new int[ANSWERS.size()];
        for (int i = 0; i < answers.length; i++) {
            int[] ids = tokenizer.encodeOrdinary(ANSWERS.get(i));
            if (ids.length != 1) throw new IllegalStateException(ANSWERS.get(i) + " is not one token: " + Arrays.toString(ids));
            answers[i] = ids[0];
        }
        NamedTensor embed = tensor(m, "model.embed_tokens.weight"), head = tensor(m, "lm_head.weight");
        Arrays.fill(embed.data(), embed.offset(), embed.offset() + embed.size(), 0f);
        Arrays.fill(head.data(), head.offset(), head.offset() + head.size(), 0f);
        for (int token = 0; token < config().vocabSize(); token++) embed.data()[embed.offset() + token * HIDDEN] = 1f;
        embed.data()[embed.offset() + assistant * HIDDEN] = 0f;
        embed.data()[embed.offset() + assistant * HIDDEN + 1] = 1f;
        for (int i = 0; i < answers.length; i++) {
            embed.data()[embed.offset() + answers[i] * HIDDEN] = 0f;
            embed.data()[embed.offset() + answers[i] * HIDDEN + 2 + i] = 1f;
            head.data()[head.offset() + answers[i] * HIDDEN + 1] = 10f;
            head.data()[head.offset() + end * HIDDEN + 2 + i] = 10f;
        }
        head.data()[head.offset() + end * HIDDEN] = 10f;
        return m;
    }

    private static NamedTensor tensor(DeepSeekV3Model m, String name) {
        return m.parameters().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** 2 rounds of GRPO on exact match, 6 tasks x 2 rollouts a round, 6 held-out tasks, into {@code out}. */
    ObjectNode experiment(Path out) {
        ObjectNode e = JSON.createObjectNode().put("name", "looptest").put("policy", policy.toString());
        e.putObject("workflow").put("type", "solver-reviser");
        e.putObject("tasks").put("train", train.toString()).put("heldout", heldout.toString()).put("heldout_limit", 6);
        e.putArray("rewards").addObject().put("type", "exact_match").put("weight", 1.0);
        e.putObject("algorithm").put("name", "grpo").put("lr", 0.01);
        return e.put("rounds", 2).put("tasks_per_round", 6).put("rollouts_per_task", 2).put("seed", 1)
                .put("out", out.toString());
    }

    static Experiment parse(ObjectNode experiment) {
        return Experiment.fromJson(experiment.toString(), "test experiment");
    }

    static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    static List<JsonNode> lines(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(file)) out.add(JSON.readTree(line));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A record without what differs between two identical runs: wall-clock times, throughput, random run ids. */
    static JsonNode withoutTiming(JsonNode record) {
        JsonNode copy = record.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                String k = it.next().getKey();
                if (k.equals("seconds") || k.endsWith("_seconds") || k.endsWith("_tokens_per_s") || k.endsWith("Micros") || k.equals("runId")) it.remove();
            }
        }
        for (JsonNode child : node) strip(child);
    }
}
