package dev.consilium.moe.generate;

import java.util.List;

/**
 * A token and its log-probability: log-softmax of the model's raw logits, i.e. under the unscaled model
 * distribution, whatever temperature, top-k or top-p the token was sampled with. That is the quantity a
 * trainer recomputes, so the two compare directly.
 *
 * @param top the most likely tokens at this position, most likely first; empty when none were asked for
 */
public record TokenLogprob(int token, float logprob, List<TopLogprob> top) {
    public TokenLogprob {
        top = List.copyOf(top);
    }
}
