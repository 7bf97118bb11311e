package dev.consilium.moe.train.policy;

import dev.consilium.moe.model.Batch;

import java.util.List;

/**
 * Completions of different lengths laid out one per row of a (B, T) batch. A row holds prompt ++ completion
 * without its last token as inputs and the same shifted by one as targets, so completion token j of row b is
 * the target at position {@code start[b] + j}. T is the longest row; shorter rows end in padding (token 0,
 * target 0, weight 0). Attention is causal, so padding after a row's tokens cannot reach them, and with
 * weight 0 it adds nothing to the loss: padding never receives or passes on gradient. One sequence per row
 * rather than several: the model has no document mask, so a row's second sequence would attend to its first.
 *
 * @param tokens  (B*T) inputs.
 * @param targets (B*T) next tokens.
 * @param mask    (B*T) 1 at trained completion targets, 0 at prompt targets, masked completion tokens and padding.
 * @param start   (B) position of each row's first completion target.
 * @param length  (B) completion tokens per row.
 */
public record PackedBatch(int[] tokens, int[] targets, float[] mask, int[] start, int[] length, int batchSize,
                          int seqLen) {

    /** Packs {@code rows} in order; a row longer than {@code maxSeqLen} positions is an error that names it. */
    public static PackedBatch pack(List<? extends TrainingCompletion> rows, int maxSeqLen) {
        int B = rows.size();
        if (B == 0) throw new IllegalArgumentException("nothing to pack: no completions");
        int T = 0;
        for (int b = 0; b < B; b++) {
            TrainingCompletion c = rows.get(b);
            int positions = c.prompt().length + c.completion().length - 1;
            if (positions > maxSeqLen) {
                throw new IllegalArgumentException("completion " + b + " of the batch needs " + positions
                        + " positions (prompt " + c.prompt().length + " + completion " + c.completion().length
                        + " - 1), more than the sequence length " + maxSeqLen);
            }
            T = Math.max(T, positions);
        }
        int[] tokens = new int[B * T], targets = new int[B * T], start = new int[B], length = new int[B];
        float[] mask = new float[B * T];
        for (int b = 0; b < B; b++) {
            TrainingCompletion c = rows.get(b);
            int[] p = c.prompt(), x = c.completion();
            boolean[] m = c.mask();
            int row = b * T, P = p.length, C = x.length;
            System.arraycopy(p, 0, tokens, row, P);
            System.arraycopy(x, 0, tokens, row + P, C - 1);
            System.arraycopy(p, 1, targets, row, P - 1);
            System.arraycopy(x, 0, targets, row + P - 1, C);
            start[b] = P - 1;
            length[b] = C;
            for (int j = 0; j < C; j++) mask[row + P - 1 + j] = m == null || m[j] ? 1f : 0f;
        }
        return new PackedBatch(tokens, targets, mask, start, length, B, T);
    }

    /** Flat index of completion token j of row b. */
    public int position(int b, int j) {
        return b * seqLen + start[b] + j;
    }

    public boolean trained(int b, int j) {
        return mask[position(b, j)] != 0f;
    }

    /** Trained completion tokens in row b. */
    public int trainedTokens(int b) {
        int n = 0;
        for (int j = 0; j < length[b]; j++) if (trained(b, j)) n++;
        return n;
    }

    /** Sum of {@code logp} (B*T) over row b's trained completion tokens, in double: a sequence log-prob. */
    public double completionLogProb(int b, float[] logp) {
        double sum = 0;
        for (int j = 0; j < length[b]; j++) if (trained(b, j)) sum += logp[position(b, j)];
        return sum;
    }

    /** The rows as a model batch weighted by {@link #mask}: the SFT loss on trained tokens, over {@code normalizer}. */
    public Batch batch(float normalizer) {
        return new Batch(tokens, targets, mask, normalizer, batchSize, seqLen);
    }
}
