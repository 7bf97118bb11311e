package dev.consilium.runtime.server;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.GenerationService;
import dev.consilium.moe.generate.TokenLogprob;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both generation endpoints need: the model's name, its generation service and shape, how its tokens
 * read, and the limits. {@code live} counts choices submitted and not yet finished or cancelled.
 *
 * @param tokenizer null for a model served by token ids only (chat and text prompts are then refused)
 * @param template  null when the tokenizer lacks DeepSeek-V3's chat tokens
 * @param keepAlive how long a stream may stay silent (queued, or holding text back) before a keep-alive comment
 */
record ServedModel(String name, long created, GenerationService service, ModelConfig config, BpeTokenizer tokenizer,
                   ChatTemplate template, Vocabulary vocabulary, ServerLimits limits, Duration keepAlive,
                   AtomicInteger live) {

    void requireModel(String requested) {
        if (!name.equals(requested)) throw ApiException.unknownModel(requested, name);
    }

    /**
     * New tokens per choice: {@code asked} when given, else {@code fallback} (null: all the context leaves), within
     * the server's limit. 400 {@code context_length_exceeded}, naming {@code promptParam}, when they do not fit.
     */
    int budget(Integer asked, Integer fallback, int promptTokens, String promptParam) {
        int context = config.maxPositionEmbeddings();
        int room = context - promptTokens;
        if (asked != null) {
            if (asked > room) {
                throw ApiException.contextOverflow(promptParam, "This model's maximum context length is " + context
                        + " tokens. However, you requested " + (promptTokens + asked) + " tokens (" + promptTokens
                        + " in the prompt, " + asked + " for the completion). Please reduce the prompt or the completion length.");
            }
            return asked;
        }
        if (room < 1) {
            throw ApiException.contextOverflow(promptParam, "This model's maximum context length is " + context
                    + " tokens, and the prompt alone has " + promptTokens + " tokens. Please reduce the prompt.");
        }
        int n = fallback == null ? room : Math.min(fallback, room);
        return limits.maxTokens() == null ? n : Math.min(n, limits.maxTokens());
    }

    /** Refuses token ids a client sent that lie outside the vocabulary. */
    void checkTokenIds(int[] ids, String param) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= config.vocabSize()) {
                throw ApiException.invalid(param, "'" + param + "' token " + i + " is " + ids[i]
                        + ", outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
    }

    /** The generated tokens a client sees logprobs for: a stop token ended the output but is not part of it. */
    static List<TokenLogprob> contentLogprobs(Completion c, Set<Integer> stopTokenIds) {
        List<TokenLogprob> out = new ArrayList<>(c.logprobs().size());
        for (TokenLogprob t : c.logprobs()) if (!stopTokenIds.contains(t.token())) out.add(t);
        return out;
    }

    static String finishReason(Completion c) {
        return switch (c.finishReason()) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
        };
    }
}
