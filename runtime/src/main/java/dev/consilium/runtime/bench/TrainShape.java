package dev.consilium.runtime.bench;

import dev.consilium.moe.config.ModelConfig;
import picocli.CommandLine.Option;

/** The model and batch a training benchmark runs: a picocli mixin shared by the training benches. */
public final class TrainShape {
    @Option(names = "--config", defaultValue = "small", description = "small, tiny or a config.json path (default: ${DEFAULT-VALUE}).")
    public String config;
    @Option(names = "--batch-size", description = "Sequences per step (default: 8 for small, 16 for tiny).")
    Integer batchSize;
    @Option(names = "--seq-len", description = "Tokens per sequence (default: 256 for small, 64 for tiny).")
    Integer seqLen;

    public ModelConfig modelConfig() {
        return ModelConfig.named(config);
    }

    public int batch() {
        return batchSize != null ? batchSize : tiny() ? 16 : 8;
    }

    public int seq() {
        return seqLen != null ? seqLen : tiny() ? 64 : 256;
    }

    private boolean tiny() {
        return "tiny".equals(config);
    }
}
