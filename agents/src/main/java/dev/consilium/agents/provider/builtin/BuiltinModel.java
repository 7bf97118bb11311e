package dev.consilium.agents.provider.builtin;

import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.GenerationService;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.generate.TokenListener;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TemplateMessage;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A built-in model ready to chat: its weights, tokenizer and chat template, and one decode loop that every
 * caller shares (continuous batching), so many agents on virtual threads talk to it at once.
 */
public final class BuiltinModel implements AutoCloseable {
    /** Requests allowed to wait for a decode slot; beyond it callers get an error rather than unbounded memory. */
    static final int MAX_QUEUED = 4096;

    private final String name;
    private final BpeTokenizer tokenizer;
    private final ChatTemplate template;
    private final GenerationService service;

    private BuiltinModel(String name, Generator generator) {
        this.name = name;
        this.tokenizer = generator.tokenizer();
        this.template = ChatTemplate.deepSeekV3(tokenizer);
        this.service = GenerationService.start(generator, MAX_QUEUED);
    }

    /**
     * Loads the checkpoint directory (config.json, model.safetensors, tokenizer.json); its projections stay in
     * the precision they are stored in, so a BF16 or FP8 copy is served from its own bytes.
     */
    public static BuiltinModel load(Path checkpoint) {
        CheckpointWeights loaded = CheckpointWeights.load(checkpoint);
        if (loaded.tokenizer() == null) throw new IllegalArgumentException(checkpoint + ": no tokenizer.json, so there is no chat to serve");
        return new BuiltinModel("builtin/" + checkpoint, Generator.builder()
                .weights(dev.consilium.moe.generate.InferenceWeights.of(loaded)).tokenizer(loaded.tokenizer()).build());
    }

    /**
     * Serves {@code model} as it is now. Generation packs its own copy of the weights, so training the model
     * afterwards does not change this one; make a new one to serve the trained weights.
     */
    public static BuiltinModel of(String name, DeepSeekV3Model model, BpeTokenizer tokenizer) {
        return new BuiltinModel(name, Generator.builder().model(model).tokenizer(tokenizer).build());
    }

    public String name() {
        return name;
    }

    public BpeTokenizer tokenizer() {
        return tokenizer;
    }

    int endOfTurn() {
        return template.endOfTurn();
    }

    CompletableFuture<Completion> submit(List<TemplateMessage> messages, SamplingParams params, TokenListener listener) {
        return service.submit(template.prompt(messages), params, listener);
    }

    @Override
    public void close() {
        service.close();
    }
}
