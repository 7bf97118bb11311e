package dev.consilium.agents;

import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.trajectory.Message;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentTest {

    record Answer(int value, String unit) {}

    @Test
    void sendsRoleThenTaskThenTheTurnsItsMemoryPolicyShows() {
        Agent critic = Agent.builder().name("critic").role("Check it.").memory(MemoryPolicy.LAST)
                .model(ScriptedChatModel.constant("correct")).build();
        Workflow pipeline = dev.consilium.agents.workflow.Workflows.sequence(
                Agent.builder().name("solver").model(ScriptedChatModel.constant("42")).build(),
                Agent.builder().name("checker").model(ScriptedChatModel.constant("looks fine")).build(),
                critic);

        Trajectory t = pipeline.run(Task.of("17 + 25?"));

        List<Message> sent = t.callsBy("critic").getFirst().messages();
        assertEquals(List.of(Message.of("system", "Check it."), Message.of("user", "17 + 25?"),
                Message.of("user", "checker: looks fine")), sent);
        assertEquals("correct", t.output());
    }

    @Test
    void ownEarlierTurnsAreSentAsAssistantMessages() {
        Agent solver = Agent.builder().name("solver").model(ScriptedChatModel.constant("41")).build();
        Conversation c = Conversation.of(Task.of("17 + 25?")).with(Turn.of("solver", "41")).with(Turn.of("critic", "wrong"));
        Workflow w = dev.consilium.agents.workflow.Workflows.step("wrap", conv -> solver.respond(c).text());

        Trajectory t = w.run(Task.of("17 + 25?"));

        assertEquals(List.of(Message.of("user", "17 + 25?"), Message.of("assistant", "41"),
                Message.of("user", "critic: wrong")), t.calls().getFirst().messages());
    }

    @Test
    void typedOutputIsParsedAndRecordedAsJson() {
        Agent a = Agent.builder().name("solver").outputType(Answer.class)
                .model(ScriptedChatModel.constant("Sure: ```json\n{\"value\": 42, \"unit\": \"apples\"}\n```")).build();

        Trajectory t = a.run(Task.of("How many?"));

        assertEquals("{\"value\":42,\"unit\":\"apples\"}", t.value().toString());
        assertEquals("{\"value\":42,\"unit\":\"apples\"}", t.calls().getFirst().parsed().toString());
        assertTrue(t.calls().getFirst().messages().getFirst().content()
                .contains("\"value\" (integer), \"unit\" (string)"));
    }

    @Test
    void invalidJsonIsRepairedOnceWithTheParseErrorShownToTheModel() {
        AtomicInteger calls = new AtomicInteger();
        Agent a = Agent.builder().name("solver").outputType(Answer.class)
                .model(ScriptedChatModel.of(r -> calls.getAndIncrement() == 0 ? "{\"value\": forty-two}"
                        : "{\"value\": 42, \"unit\": \"apples\"}")).build();

        Trajectory t = a.run(Task.of("How many?"));

        assertEquals(2, t.calls().size());
        assertNull(t.calls().get(0).parsed());
        List<Message> retry = t.calls().get(1).messages();
        assertEquals(Message.of("assistant", "{\"value\": forty-two}"), retry.get(retry.size() - 2));
        assertTrue(retry.getLast().content().startsWith("Your reply could not be read as the JSON asked for"));
        assertEquals(42, ((com.fasterxml.jackson.databind.JsonNode) t.calls().get(1).parsed()).get("value").asInt());
    }

    @Test
    void invalidJsonTwiceFailsTheRunNamingTheAgentAndKeepsBothReplies() {
        Agent a = Agent.builder().name("solver").outputType(Answer.class)
                .model(ScriptedChatModel.constant("{\"value\": 42}")).build();

        WorkflowException e = assertThrows(WorkflowException.class, () -> a.run(Task.of("How many?")));

        assertInstanceOf(InvalidOutputException.class, e.getCause());
        assertEquals("solver", e.agent());
        assertTrue(e.getMessage().contains("agent 'solver' at step 'solver' failed"), e.getMessage());
        assertTrue(e.getMessage().contains("unit"), e.getMessage());
        Trajectory t = e.trajectory();
        assertEquals(Trajectory.FAILED, t.status());
        assertEquals(2, t.calls().size());
        assertEquals("InvalidOutputException", t.failure().type());
        assertEquals(t, Trajectory.fromJson(t.toJson()));
    }

    static final class Calculator {
        @Tool("adds two integers")
        int add(@P(name = "a", value = "first") int a, @P(name = "b", value = "second") int b) {
            return a + b;
        }
    }

    @Test
    void toolCallsAreRunAndEveryModelCallRecorded() {
        AtomicInteger n = new AtomicInteger();
        dev.langchain4j.model.chat.ChatModel model = new dev.langchain4j.model.chat.ChatModel() {
            @Override
            public ChatResponse chat(dev.langchain4j.model.chat.request.ChatRequest r,
                                     dev.langchain4j.model.chat.ChatRequestOptions o) {
                if (n.getAndIncrement() == 0) {
                    assertEquals("add", r.toolSpecifications().getFirst().name());
                    return ChatResponse.builder().aiMessage(AiMessage.from(ToolExecutionRequest.builder()
                            .id("call-1").name("add").arguments("{\"a\": 17, \"b\": 25}").build()))
                            .tokenUsage(new TokenUsage(5, 3)).build();
                }
                ToolExecutionResultMessage result = (ToolExecutionResultMessage) r.messages().getLast();
                return ChatResponse.builder().aiMessage(AiMessage.from("It is " + result.text())).build();
            }
        };
        Agent a = Agent.builder().name("solver").model(model).tools(new Calculator()).build();

        Trajectory t = a.run(Task.of("17 + 25?"));

        assertEquals("It is 42", t.output());
        assertEquals(2, t.calls().size());
        ModelCall first = t.calls().getFirst();
        assertEquals("add", first.toolCalls().getFirst().name());
        Message toolResult = t.calls().get(1).messages().getLast();
        assertEquals("tool", toolResult.role());
        assertEquals("call-1", toolResult.toolCallId());
        assertEquals("42", toolResult.content());
        assertEquals(t, Trajectory.fromJson(t.toJson()));
    }

    @Test
    void aNameWithASlashOrNoModelIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Agent.builder().name("a/b").model(ScriptedChatModel.constant("x")).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Agent.builder().name("a").build());
        assertTrue(e.getMessage().contains("no model"), e.getMessage());
    }
}
