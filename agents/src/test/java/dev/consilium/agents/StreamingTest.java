package dev.consilium.agents;

import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StreamingTest {

    /** Streams its answer word by word, from another thread, as vendor clients do. */
    static StreamingChatModel words(String answer) {
        return new StreamingChatModel() {
            @Override
            public void chat(ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler) {
                Thread.ofVirtual().start(() -> {
                    for (String w : answer.split("(?<= )")) handler.onPartialResponse(w);
                    handler.onCompleteResponse(ScriptedChatModel.response(answer, 1));
                });
            }
        };
    }

    @Test
    void theFinalAgentsOutputReachesTheCallerAsItStreams() {
        Agent draft = Agent.builder().name("draft").model(ScriptedChatModel.constant("41"))
                .streamingModel(words("not me")).build();
        Agent fix = Agent.builder().name("fix").model(ScriptedChatModel.constant("unused"))
                .streamingModel(words("the answer is 42")).build();
        List<Partial> partials = new CopyOnWriteArrayList<>();

        Trajectory t = Workflows.sequence(draft, fix).named("pipeline")
                .run(Task.of("q"), RunOptions.builder().onPartial(partials::add).build());

        assertEquals(List.of(new Partial("fix", "pipeline/fix", "the "), new Partial("fix", "pipeline/fix", "answer "),
                new Partial("fix", "pipeline/fix", "is "), new Partial("fix", "pipeline/fix", "42")), partials);
        assertEquals("the answer is 42", t.output());
        assertEquals("the answer is 42", t.calls().get(1).output());
        assertEquals(2, t.calls().size());
    }

    @Test
    void anAgentWithoutAStreamingModelDeliversItsAnswerWhole() {
        List<Partial> partials = new CopyOnWriteArrayList<>();
        Agent solo = Agent.builder().name("solo").model(ScriptedChatModel.constant("42")).build();
        solo.run(Task.of("q"), RunOptions.builder().onPartial(partials::add).build());
        assertEquals(List.of(new Partial("solo", "solo", "42")), partials);
    }
}
