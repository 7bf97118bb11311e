package dev.consilium.agents.provider.builtin;

import dev.consilium.moe.tokenizer.TemplateMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.List;

/**
 * The built-in model streaming: each decided piece of text reaches {@code onPartialResponse} from the decode
 * loop as it is generated, then the complete response with usage, token ids and logprobs. The JSON
 * response format is not retried here (a streamed answer cannot be taken back); use
 * {@link BuiltinChatModel} for it.
 */
public final class BuiltinStreamingChatModel implements StreamingChatModel {
    private final BuiltinModel model;
    private final List<ChatModelListener> listeners;

    public BuiltinStreamingChatModel(BuiltinModel model, List<ChatModelListener> listeners) {
        this.model = model;
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        List<TemplateMessage> messages;
        try {
            messages = BuiltinRequests.messages(model.name(), request);
            model.submit(messages, BuiltinRequests.sampling(request.parameters(), model.endOfTurn(), 0),
                            (token, text) -> { if (!text.isEmpty()) handler.onPartialResponse(text); })
                    .whenComplete((c, error) -> {
                        if (error != null) handler.onError(error);
                        else handler.onCompleteResponse(BuiltinRequests.response(model.name(), c, model.tokenizer()));
                    });
        } catch (RuntimeException e) {
            handler.onError(e);
        }
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }
}
