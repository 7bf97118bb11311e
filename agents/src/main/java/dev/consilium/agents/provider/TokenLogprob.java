package dev.consilium.agents.provider;

import java.util.List;

/**
 * One token of a model's output with its log-probability and, where asked for, the most likely tokens at
 * its position (each with an empty {@code top}). {@code id} is the model's token id, or -1 when a provider
 * reports text only.
 */
public record TokenLogprob(int id, String text, double logprob, List<TokenLogprob> top) {
    public TokenLogprob {
        top = List.copyOf(top);
    }
}
