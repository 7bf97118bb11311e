package dev.consilium.agents;

import dev.consilium.agents.provider.StreamingCall;
import dev.consilium.agents.provider.decorator.ForwardingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.function.Consumer;

/**
 * The model seam: a {@link ChatModel} that records every call made through it into the run the calling thread
 * is in (see {@link Run}), and outside a run is the wrapped model, untouched. Agents wrap their models in it;
 * wrap any other model the same way to have its calls recorded, e.g. one an AiServices proxy or a
 * langchain4j-agentic agent calls:
 * <pre>{@code
 * ChatModel model = RecordingChatModel.wrap(providers.chatModel("openai/gpt-4o-mini"));
 * Assistant assistant = AiServices.create(Assistant.class, model);
 * }</pre>
 * Outermost of all decorators: one recorded call per logical call, whatever retries or fallbacks happen below.
 */
public final class RecordingChatModel extends ForwardingChatModel {

    private RecordingChatModel(ChatModel delegate) {
        super(delegate);
    }

    /** {@code model} recorded; a model already recorded is returned as it is, so calls are never logged twice. */
    public static ChatModel wrap(ChatModel model) {
        return model instanceof RecordingChatModel ? model : new RecordingChatModel(model);
    }

    @Override
    public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
        Run.Position p = Run.position();
        if (p == null) return delegate.chat(request, options);
        return p.run().record(p, request, options, o -> delegate.chat(request, o)).response();
    }

    /** The call and its slot in the run's log, for the agent to attach its parsed value; null slot outside a run. */
    Run.Recorded chatRecorded(ChatRequest request) {
        Run.Position p = Run.position();
        if (p == null) return new Run.Recorded(delegate.chat(request, ChatRequestOptions.EMPTY), null);
        return p.run().record(p, request, ChatRequestOptions.EMPTY, o -> delegate.chat(request, o));
    }

    /**
     * Streams a call, handing each piece of text to {@code onText} as it arrives, and returns the complete
     * response; recorded like any other call. Interrupting the caller stops the wait.
     */
    static Run.Recorded stream(StreamingChatModel model, ChatRequest request, Consumer<String> onText) {
        Run.Position p = Run.position();
        if (p == null) return new Run.Recorded(streamBlocking(model, request, ChatRequestOptions.EMPTY, onText), null);
        return p.run().record(p, request, ChatRequestOptions.EMPTY, o -> streamBlocking(model, request, o, onText));
    }

    private static ChatResponse streamBlocking(StreamingChatModel model, ChatRequest request, ChatRequestOptions options,
                                               Consumer<String> onText) {
        return StreamingCall.join(model, request, options, onText);
    }
}
