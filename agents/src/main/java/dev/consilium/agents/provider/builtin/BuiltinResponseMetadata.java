package dev.consilium.agents.provider.builtin;

import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.TokenLogprob;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;

import java.util.List;

/**
 * What the built-in model tells beyond text: the exact prompt and completion token ids (the trainer learns
 * from these, not from re-tokenized text), each completion token's log-probability with its alternatives,
 * and how many prompt tokens came from the prefix cache.
 */
public final class BuiltinResponseMetadata extends ChatResponseMetadata implements LogprobsMetadata {
    private final int[] promptTokens;
    private final int[] completionTokens;
    private final int cachedPromptTokens;
    private final List<TokenLogprob> logprobs;

    private BuiltinResponseMetadata(Builder b) {
        super(b);
        this.promptTokens = b.promptTokens.clone();
        this.completionTokens = b.completionTokens.clone();
        this.cachedPromptTokens = b.cachedPromptTokens;
        this.logprobs = List.copyOf(b.logprobs);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int[] promptTokens() {
        return promptTokens.clone();
    }

    public int[] completionTokens() {
        return completionTokens.clone();
    }

    public int cachedPromptTokens() {
        return cachedPromptTokens;
    }

    @Override
    public List<TokenLogprob> logprobs() {
        return logprobs;
    }

    public static final class Builder extends ChatResponseMetadata.Builder<Builder> {
        private int[] promptTokens = new int[0];
        private int[] completionTokens = new int[0];
        private int cachedPromptTokens;
        private List<TokenLogprob> logprobs = List.of();

        public Builder promptTokens(int[] ids) { this.promptTokens = ids; return this; }
        public Builder completionTokens(int[] ids) { this.completionTokens = ids; return this; }
        public Builder cachedPromptTokens(int n) { this.cachedPromptTokens = n; return this; }
        public Builder logprobs(List<TokenLogprob> logprobs) { this.logprobs = logprobs; return this; }

        @Override
        public BuiltinResponseMetadata build() {
            return new BuiltinResponseMetadata(this);
        }
    }
}
