package dev.consilium.moe.checkpoint;

import dev.consilium.moe.optim.OptimizerState;
import dev.consilium.moe.tensor.NamedTensor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The child process of {@link CheckpointKillTest}: saves generation 1, 2, 3, ... into one directory until
 * killed, printing "saved N" after each save returns. Generation N is recognizable in every file: weights
 * all N, buffers all -N, optimizer moments all 2N, config, tokenizer and step all N. It stops by itself
 * when nobody reads its output any more, so a crashed test leaves no process behind.
 */
public final class CheckpointSaver {
    private CheckpointSaver() {}

    static List<NamedTensor> params(float[] flat) {
        int half = flat.length / 2;
        return List.of(new NamedTensor("model.embed_tokens.weight", new int[]{half / 64, 64}, flat, 0),
                new NamedTensor("lm_head.weight", new int[]{(flat.length - half) / 64, 64}, flat, half));
    }

    static List<NamedTensor> buffers(float[] flat) {
        return List.of(new NamedTensor("model.layers.0.mlp.gate.e_score_correction_bias", new int[]{flat.length}, flat, 0));
    }

    static String config(long gen) {
        return "{\"generation\": " + gen + "}";
    }

    static byte[] tokenizer(long gen) {
        return ("{\"generation\": " + gen + "}").getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        float[] p = new float[n], b = new float[16], moments = new float[n];
        for (long gen = 1; gen <= 10_000; gen++) {
            Arrays.fill(p, gen);
            Arrays.fill(b, -gen);
            Arrays.fill(moments, 2 * gen);
            List<NamedTensor> opt = params(moments).stream()
                    .map(t -> new NamedTensor(t.name() + ".exp_avg", t.shape(), moments, t.offset())).toList();
            var state = new TrainingState(gen, 7, new long[]{gen}, null, gen, new OptimizerState("adamw", gen, opt));
            Checkpoint.save(dir, config(gen), params(p), buffers(b), tokenizer(gen), state);
            System.out.println("saved " + gen);
            if (System.out.checkError()) return;
        }
    }
}
