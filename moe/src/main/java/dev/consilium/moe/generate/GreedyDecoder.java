package dev.consilium.moe.generate;

import dev.consilium.moe.model.DeepSeekV3Model;

import java.util.Arrays;

/**
 * Greedy decoding by recomputing the whole sequence for every new token. Quadratic in length, but exact
 * and with no state to get wrong: the reference that cached decoding must reproduce token for token, and
 * plenty fast for short answers from small models.
 */
public final class GreedyDecoder {
    private final DeepSeekV3Model model;

    public GreedyDecoder(DeepSeekV3Model model) {
        this.model = model;
    }

    /**
     * Appends argmax tokens to {@code prompt} until {@code stopToken} (not included) or {@code maxNewTokens};
     * returns only the new tokens. Ties go to the lowest id.
     */
    public int[] complete(int[] prompt, int maxNewTokens, int stopToken) {
        int V = model.config().vocabSize();
        int limit = Math.min(prompt.length + maxNewTokens, model.config().maxPositionEmbeddings());
        int[] seq = Arrays.copyOf(prompt, limit);
        int len = prompt.length;
        while (len < limit) {
            float[] logits = model.logits(Arrays.copyOf(seq, len), 1, len);
            int row = (len - 1) * V, best = 0;
            for (int v = 1; v < V; v++) if (logits[row + v] > logits[row + best]) best = v;
            if (best == stopToken) break;
            seq[len++] = best;
        }
        return Arrays.copyOfRange(seq, prompt.length, len);
    }
}
