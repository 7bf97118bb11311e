package dev.consilium.rewards.testing;

import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.TokenLogprob;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A deterministic judge model: {@code reply} maps each request's user message to the judge's text. Records
 * requests; can claim JSON-schema support; can attach token logprobs.
 */
public final class ScriptedModel implements ChatModel {

    private final Function<String, String> reply;
    private final Set<Capability> capabilities;
    private final Function<String, List<TokenLogprob>> logprobs;
    public final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    private ScriptedModel(Function<String, String> reply, Set<Capability> capabilities, Function<String, List<TokenLogprob>> logprobs) {
        this.reply = reply;
        this.capabilities = capabilities;
        this.logprobs = logprobs;
    }

    /** Replies with {@code reply(userMessage)}; no structured output, no logprobs. */
    public static ScriptedModel of(Function<String, String> reply) {
        return new ScriptedModel(reply, Set.of(), null);
    }

    /** Always the same text. */
    public static ScriptedModel constant(String text) {
        return of(u -> text);
    }

    /** The same script, claiming JSON-schema support. */
    public ScriptedModel withJsonSchema() {
        return new ScriptedModel(reply, Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA), logprobs);
    }

    /** The same script, its responses carrying these token logprobs for the reply text. */
    public ScriptedModel withLogprobs(Function<String, List<TokenLogprob>> tokens) {
        return new ScriptedModel(reply, capabilities, tokens);
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return capabilities;
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        requests.add(request);
        String user = userText(request);
        String text = reply.apply(user);
        ChatResponse.Builder b = ChatResponse.builder().aiMessage(AiMessage.from(text));
        if (logprobs != null) {
            b.metadata(new WithLogprobs(logprobs.apply(text)));
        } else {
            b.finishReason(FinishReason.STOP).modelName("scripted").tokenUsage(new TokenUsage(user.length() / 4, text.length() / 4));
        }
        return b.build();
    }

    public static String userText(ChatRequest request) {
        for (ChatMessage m : request.messages().reversed()) if (m instanceof UserMessage u) return u.singleText();
        throw new IllegalArgumentException("no user message");
    }

    public static String systemText(ChatRequest request) {
        for (ChatMessage m : request.messages()) if (m instanceof SystemMessage s) return s.text();
        return "";
    }

    static final class WithLogprobs extends ChatResponseMetadata implements LogprobsMetadata {
        private final List<TokenLogprob> tokens;

        WithLogprobs(List<TokenLogprob> tokens) {
            super(ChatResponseMetadata.builder().modelName("scripted").finishReason(FinishReason.STOP).tokenUsage(new TokenUsage(100, 10)));
            this.tokens = List.copyOf(tokens);
        }

        @Override
        public List<TokenLogprob> logprobs() {
            return tokens;
        }
    }
}
