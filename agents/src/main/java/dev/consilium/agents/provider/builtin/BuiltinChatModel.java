package dev.consilium.agents.provider.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.agents.provider.ProviderException;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.tokenizer.TemplateMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The built-in model as a LangChain4j {@link ChatModel}: the DeepSeek-V3 chat template, sampling from the
 * request's parameters, token usage and finish reason, and the token ids and logprobs in
 * {@link BuiltinResponseMetadata}.
 *
 * <p>JSON response format is validate-and-retry: the answer must parse as a JSON object (and carry the
 * schema's required top-level keys, when a schema is given); otherwise it samples again, up to
 * {@link #JSON_ATTEMPTS} times, and returns the last answer for the caller's own parser to judge. Interrupting
 * the calling thread cancels the generation and frees its decode slot.
 */
public final class BuiltinChatModel implements ChatModel {
    static final int JSON_ATTEMPTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BuiltinModel model;
    private final List<ChatModelListener> listeners;

    public BuiltinChatModel(BuiltinModel model) {
        this(model, List.of());
    }

    public BuiltinChatModel(BuiltinModel model, List<ChatModelListener> listeners) {
        this.model = model;
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        List<TemplateMessage> messages = BuiltinRequests.messages(model.name(), request);
        ResponseFormat format = request.parameters().responseFormat();
        boolean json = format != null && format.type() == ResponseFormatType.JSON;
        Completion c = null;
        for (int attempt = 0; attempt < (json ? JSON_ATTEMPTS : 1); attempt++) {
            c = await(model.submit(messages, BuiltinRequests.sampling(request.parameters(), model.endOfTurn(), attempt), null));
            if (!json || validJson(c.text(), format)) break;
        }
        return BuiltinRequests.response(model.name(), c, model.tokenizer());
    }

    static boolean validJson(String text, ResponseFormat format) {
        JsonNode node;
        try {
            node = JSON.readTree(text.strip());
        } catch (JsonProcessingException e) {
            return false;
        }
        if (node == null || !node.isObject()) return false;
        if (format.jsonSchema() != null && format.jsonSchema().rootElement() instanceof JsonObjectSchema schema
                && schema.required() != null) {
            for (String key : schema.required()) if (!node.has(key)) return false;
        }
        return true;
    }

    private Completion await(CompletableFuture<Completion> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException(model.name() + ": interrupted; generation cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new ProviderException(model.name() + ": generation failed: " + cause, cause);
        }
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }
}
