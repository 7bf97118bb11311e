package dev.consilium.agents;

import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.trajectory.Message;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;
import dev.langchain4j.agentic.AgenticServices;
import dev.langchain4j.agentic.UntypedAgent;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Calls made by LangChain4j's own agents, run inside a Consilium run, land in its trajectory. */
class InteropTest {

    interface Assistant {
        @SystemMessage("You are terse.")
        String answer(String question);
    }

    @Test
    void anAiServicesAgentInsideAStepIsRecorded() {
        ChatModel model = RecordingChatModel.wrap(ScriptedChatModel.of(r -> "echo " + ScriptedChatModel.lastUser(r)));
        Assistant assistant = AiServices.create(Assistant.class, model);
        Workflow w = Workflows.sequence(
                Agent.builder().name("planner").model(ScriptedChatModel.constant("plan")).build(),
                Workflows.step("assistant", c -> assistant.answer(Workflows.lastText(c))));

        Trajectory t = w.run(Task.of("q"));

        ModelCall call = t.calls().get(1);
        assertEquals("assistant", call.agent());
        assertEquals("sequence/assistant", call.path());
        assertEquals(List.of(Message.of("system", "You are terse."), Message.of("user", "plan")), call.messages());
        assertEquals("echo plan", t.output());
        assertEquals(t, Trajectory.fromJson(t.toJson()));
    }

    @Test
    void aLangChain4jAgenticSequenceInsideAStepIsRecorded() {
        ChatModel model = RecordingChatModel.wrap(ScriptedChatModel.of(r -> ScriptedChatModel.lastUser(r) + "+"));
        UntypedAgent first = AgenticServices.agentBuilder().chatModel(model).name("first")
                .userMessage("{{topic}}").inputKey(String.class, "topic").returnType(String.class).outputKey("draft").build();
        UntypedAgent second = AgenticServices.agentBuilder().chatModel(model).name("second")
                .userMessage("{{draft}}").inputKey(String.class, "draft").returnType(String.class).outputKey("final").build();
        UntypedAgent pipeline = AgenticServices.sequenceBuilder().subAgents(first, second).outputKey("final").build();
        Workflow w = Workflows.step("agentic", c -> (String) pipeline.invoke(Map.of("topic", c.task().input())));

        Trajectory t = w.run(Task.of("q"));

        assertEquals(List.of("q", "q+"), t.calls().stream().map(c -> c.messages().getLast().content()).toList());
        assertEquals(List.of("agentic", "agentic"), t.calls().stream().map(ModelCall::agent).toList());
        assertEquals("q++", t.output());
    }
}
