package dev.consilium.agents.testing;

import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.TokenLogprob;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A zero-latency model whose reply is a function of the request, so it answers the same under any
 * interleaving of concurrent calls. Replies carry token usage (words in, words out) and per-character "tokens"
 * with log-probabilities, like the built-in model does.
 */
public final class ScriptedChatModel implements ChatModel {

    private final Function<ChatRequest, String> reply;

    private ScriptedChatModel(Function<ChatRequest, String> reply) {
        this.reply = reply;
    }

    public static ScriptedChatModel of(Function<ChatRequest, String> reply) {
        return new ScriptedChatModel(reply);
    }

    /** Always answers {@code text}. */
    public static ScriptedChatModel constant(String text) {
        return new ScriptedChatModel(r -> text);
    }

    /** The text of the last user message of a request. */
    public static String lastUser(ChatRequest r) {
        for (ChatMessage m : r.messages().reversed()) if (m instanceof UserMessage u) return u.singleText();
        return "";
    }

    /** The system message's text, or "". */
    public static String system(ChatRequest r) {
        for (ChatMessage m : r.messages()) if (m instanceof SystemMessage s) return s.text();
        return "";
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        String text = reply.apply(request);
        return response(text, request.messages().size());
    }

    public static ChatResponse response(String text, int inputTokens) {
        int n = Math.min(text.length(), 8);
        List<TokenLogprob> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add(new TokenLogprob(text.charAt(i), String.valueOf(text.charAt(i)), -0.25 * (i + 1), List.of()));
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(text))
                .metadata(new Metadata(tokens, new TokenUsage(inputTokens, 1))).build();
    }

    /** Response metadata that reports logprobs, the way the built-in model's does. */
    static final class Metadata extends ChatResponseMetadata implements LogprobsMetadata {
        private final List<TokenLogprob> logprobs;

        Metadata(List<TokenLogprob> logprobs, TokenUsage usage) {
            super(ChatResponseMetadata.builder().modelName("scripted").finishReason(FinishReason.STOP).tokenUsage(usage));
            this.logprobs = logprobs;
        }

        @Override
        public List<TokenLogprob> logprobs() {
            return logprobs;
        }
    }
}
