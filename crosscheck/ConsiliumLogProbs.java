import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.checkpoint.SafetensorsWriter;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Consilium's side of the Consilium -> reference check: loads a checkpoint directory, takes B random
 * sequences of T token ids (seeded), and writes Consilium's log-probabilities over the whole vocabulary at
 * every position, as the safetensors file OUT: {@code tokens} (B, T) as F32 ids, {@code log_probs} (B, T, V).
 * Run with the CLI's jar on the class path (a single-file source program, see crosscheck/README.md):
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp runtime/target/consilium.jar crosscheck/ConsiliumLogProbs.java CKPT OUT [B T SEED]
 * </pre>
 */
public class ConsiliumLogProbs {
    public static void main(String[] args) {
        if (args.length != 2 && args.length != 5) {
            System.err.println("usage: ConsiliumLogProbs CHECKPOINT_DIR OUT.safetensors [B T SEED]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]), out = Path.of(args[1]);
        int B = args.length == 5 ? Integer.parseInt(args[2]) : 2;
        int T = args.length == 5 ? Integer.parseInt(args[3]) : 32;
        long seed = args.length == 5 ? Long.parseLong(args[4]) : 7;

        DeepSeekV3Model model = ModelCheckpoint.load(dir).model();
        int V = model.config().vocabSize(), N = B * T;
        int[] tokens = new SplittableRandom(seed).ints(N, 0, V).toArray();
        // logProbs gives log p(target) per position: one pass per vocabulary id fills the table
        float[] logProbs = new float[N * V];
        int[] target = new int[N];
        for (int v = 0; v < V; v++) {
            Arrays.fill(target, v);
            float[] lp = model.logProbs(tokens, target, B, T);
            for (int n = 0; n < N; n++) logProbs[n * V + v] = lp[n];
        }
        float[] ids = new float[N];
        for (int n = 0; n < N; n++) ids[n] = tokens[n];
        SafetensorsWriter.write(out, List.of(
                new NamedTensor("tokens", new int[] {B, T}, ids, 0),
                new NamedTensor("log_probs", new int[] {B, T, V}, logProbs, 0)));
        System.out.printf("%s: log-probs of %d x %d tokens over %d ids -> %s%n", dir, B, T, V, out);
    }
}
