package dev.consilium.agents.provider.cache;

import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.TokenLogprob;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;

import java.util.List;

/**
 * A cached response's metadata where the original carried token logprobs: a replayed judgment reads the same
 * distribution the recorded one did, instead of falling back to samples the replay cache cannot answer.
 */
final class CachedResponseMetadata extends ChatResponseMetadata implements LogprobsMetadata {
    private final List<TokenLogprob> logprobs;

    private CachedResponseMetadata(Builder b) {
        super(b);
        this.logprobs = List.copyOf(b.logprobs);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<TokenLogprob> logprobs() {
        return logprobs;
    }

    public static final class Builder extends ChatResponseMetadata.Builder<Builder> {
        private List<TokenLogprob> logprobs = List.of();

        public Builder logprobs(List<TokenLogprob> logprobs) {
            this.logprobs = logprobs;
            return this;
        }

        @Override
        public CachedResponseMetadata build() {
            return new CachedResponseMetadata(this);
        }
    }
}
