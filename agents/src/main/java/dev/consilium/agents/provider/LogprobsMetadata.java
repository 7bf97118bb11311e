package dev.consilium.agents.provider;

import java.util.List;

/**
 * Implemented by the {@code ChatResponseMetadata} of models that report their output's token ids and
 * log-probabilities (the built-in model always does). Judges read score distributions from it and
 * trajectories record it for training; check with {@code response.metadata() instanceof LogprobsMetadata}.
 */
public interface LogprobsMetadata {
    /** The completion's tokens, in order. */
    List<TokenLogprob> logprobs();
}
