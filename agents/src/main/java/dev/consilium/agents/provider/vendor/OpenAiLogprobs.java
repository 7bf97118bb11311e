package dev.consilium.agents.provider.vendor;

import dev.consilium.agents.provider.TokenLogprob;
import dev.langchain4j.model.openai.LogProb;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;

import java.util.ArrayList;
import java.util.List;

/**
 * The token logprobs an OpenAI-wire response carries ({@code choices[0].logprobs.content}, present when the request
 * asked for {@code logprobs}) as {@link TokenLogprob}s. The wire names tokens by text only, so ids are -1; a missing
 * logprob becomes NaN, which readers skip as no probability.
 */
public final class OpenAiLogprobs {
    private OpenAiLogprobs() {}

    /** The completion's tokens, or an empty list when the server sent none. */
    public static List<TokenLogprob> of(OpenAiChatResponseMetadata metadata) {
        List<LogProb> content = metadata.logProbs();
        if (content == null || content.isEmpty()) return List.of();
        List<TokenLogprob> out = new ArrayList<>(content.size());
        for (LogProb t : content) {
            List<TokenLogprob> top = new ArrayList<>();
            if (t.topLogprobs() != null) for (LogProb alt : t.topLogprobs()) top.add(token(alt, List.of()));
            out.add(token(t, top));
        }
        return out;
    }

    private static TokenLogprob token(LogProb p, List<TokenLogprob> top) {
        return new TokenLogprob(-1, p.token() == null ? "" : p.token(), p.logprob() == null ? Double.NaN : p.logprob(), top);
    }
}
