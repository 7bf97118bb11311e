package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.checkpoint.DType;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/** Writes a BF16 or FP8 copy of a checkpoint for inference: {@link ModelCheckpoint#saveQuantized}. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Write a BF16 or DeepSeek-style FP8 (e4m3, 128x128 block scales) copy of a checkpoint for inference.")
final class QuantizeCommand implements Runnable {

    enum Precision {
        bf16(DType.BF16), fp8(DType.F8_E4M3);

        final DType dtype;

        Precision(DType dtype) {
            this.dtype = dtype;
        }
    }

    @Option(names = "--model", required = true, description = "Checkpoint directory to read.")
    Path model;
    @Option(names = "--to", required = true, description = "Precision of the copy: ${COMPLETION-CANDIDATES}.")
    Precision to;
    @Option(names = "--out", required = true, description = "Directory to write the copy to.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (model.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--out must differ from --model: the fp32 master weights would be replaced");
        }
        var source = ModelCheckpoint.load(model);
        ModelCheckpoint.saveQuantized(out, source.model(), source.tokenizer(), to.dtype);
        long fp32 = 4L * (source.model().parameterCount() + source.model().bufferData().length);
        long copy = CheckpointWeights.load(out).bytes();
        spec.commandLine().getOut().printf("wrote %s copy of %s to %s: weights take %.1f MiB in memory, %.0f%% of fp32's %.1f MiB%n",
                to, model, out, copy / 1048576.0, 100.0 * copy / fp32, fp32 / 1048576.0);
    }
}
