package dev.consilium.agents.provider;

import dev.consilium.agents.provider.vendor.OpenAiLogprobs;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;

import java.util.List;

/**
 * Implemented by the {@code ChatResponseMetadata} of models that report their output's token ids and
 * log-probabilities (the built-in model always does). Judges read score distributions from it and
 * trajectories record it for training; check with {@code response.metadata() instanceof LogprobsMetadata}, or
 * read any response's with {@link #of(ChatResponse)}.
 */
public interface LogprobsMetadata {
    /** The completion's tokens, in order. */
    List<TokenLogprob> logprobs();

    /**
     * The token logprobs {@code response} carries, from whichever model gave it: the built-in model's metadata, or
     * an OpenAI-wire response to a request that asked for {@code logprobs} (OpenAI, DeepSeek, vLLM, llama.cpp,
     * Consilium's own server); empty when it has none.
     */
    static List<TokenLogprob> of(ChatResponse response) {
        if (response == null) return List.of();
        return switch (response.metadata()) {
            case LogprobsMetadata l -> l.logprobs();
            case OpenAiChatResponseMetadata o -> OpenAiLogprobs.of(o);
            case null, default -> List.of();
        };
    }
}
