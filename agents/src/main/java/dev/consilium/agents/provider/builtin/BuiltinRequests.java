package dev.consilium.agents.provider.builtin;

import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.TokenLogprob;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.TemplateMessage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The mapping between LangChain4j's chat request and response and the built-in model's chat template and
 * sampling, shared by the blocking and the streaming model.
 *
 * <p>Temperature, top-p, top-k, max output tokens and stop sequences come from the standard
 * {@code ChatRequestParameters}. A seed and the number of alternatives per token come from
 * {@link OpenAiChatRequestParameters} ({@code seed}, {@code topLogprobs}) when the request carries them: the
 * names every OpenAI client already uses, and the ones Consilium's server accepts on the wire.
 */
final class BuiltinRequests {
    /** Alternatives reported per generated token when the request does not say: enough for G-Eval scoring. */
    static final int DEFAULT_TOP_LOGPROBS = 5;
    static final int DEFAULT_MAX_TOKENS = 256;

    private BuiltinRequests() {}

    static List<TemplateMessage> messages(String model, ChatRequest request) {
        List<TemplateMessage> out = new ArrayList<>(request.messages().size());
        for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
            switch (m) {
                case SystemMessage s -> out.add(TemplateMessage.system(s.text()));
                case UserMessage u -> {
                    if (!u.hasSingleText()) {
                        throw new ProviderException(model + ": the built-in model reads text only; a user message has "
                                + u.contents().size() + " parts or a non-text part");
                    }
                    out.add(TemplateMessage.user(u.singleText()));
                }
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) {
                        throw new ProviderException(model + ": the built-in model does not call tools");
                    }
                    out.add(TemplateMessage.assistant(a.text() == null ? "" : a.text()));
                }
                default -> throw new ProviderException(model + ": the built-in model does not support "
                        + m.type() + " messages");
            }
        }
        return out;
    }

    static SamplingParams sampling(ChatRequestParameters p, int endOfTurn, int attempt) {
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new ProviderException("the built-in model does not call tools; remove the tool specifications");
        }
        SamplingParams.Builder b = SamplingParams.builder()
                .temperature(p.temperature() == null ? 1.0 : p.temperature())
                .topP(p.topP() == null ? 1.0 : p.topP())
                .topK(p.topK() == null ? 0 : p.topK())
                .maxNewTokens(p.maxOutputTokens() == null ? DEFAULT_MAX_TOKENS : p.maxOutputTokens())
                .stopTokenIds(Set.of(endOfTurn))
                .stopStrings(p.stopSequences() == null ? List.of() : p.stopSequences())
                .logprobs(true)
                .topLogprobs(DEFAULT_TOP_LOGPROBS);
        if (p instanceof OpenAiChatRequestParameters o) {
            // A retry for valid JSON must sample anew, yet stay reproducible: shift the seed by the attempt.
            if (o.seed() != null) b.seed((long) o.seed() + attempt);
            if (o.topLogprobs() != null) b.topLogprobs(o.topLogprobs());
        }
        return b.build();
    }

    static ChatResponse response(String model, Completion c, BpeTokenizer tokenizer) {
        List<TokenLogprob> logprobs = new ArrayList<>(c.logprobs().size());
        for (var t : c.logprobs()) {
            List<TokenLogprob> top = new ArrayList<>(t.top().size());
            for (var alt : t.top()) top.add(new TokenLogprob(alt.token(), text(tokenizer, alt.token()), alt.logprob(), List.of()));
            logprobs.add(new TokenLogprob(t.token(), text(tokenizer, t.token()), t.logprob(), top));
        }
        BuiltinResponseMetadata metadata = BuiltinResponseMetadata.builder()
                .modelName(model)
                .tokenUsage(new TokenUsage(c.promptTokens().length, c.tokens().length))
                .finishReason(switch (c.finishReason()) {
                    case STOP -> FinishReason.STOP;
                    case LENGTH -> FinishReason.LENGTH;
                    case CANCELLED -> FinishReason.OTHER;
                })
                .promptTokens(c.promptTokens())
                .completionTokens(c.tokens())
                .cachedPromptTokens(c.cachedPromptTokens())
                .logprobs(logprobs)
                .build();
        return ChatResponse.builder().aiMessage(AiMessage.from(c.text())).metadata(metadata).build();
    }

    /** A token's share of the response text: special tokens (an end of turn) are not part of it. */
    private static String text(BpeTokenizer tokenizer, int token) {
        return tokenizer.decode(new int[] {token}, true);
    }
}
