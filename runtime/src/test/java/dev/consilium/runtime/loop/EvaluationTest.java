package dev.consilium.runtime.loop;

import dev.consilium.agents.Agent;
import dev.consilium.agents.workflow.Workflows;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.consilium.runtime.seam.InProcessUnitExecutor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EvaluationTest {

    /** A model that always says {@code text}. */
    private static ChatModel saying(String text) {
        return new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                return ChatResponse.builder().aiMessage(AiMessage.from(text)).build();
            }
        };
    }

    @Test
    void theFirstTurnAloneIsCheckedBesideTheFinalAnswer() {
        // The first agent always answers 1, the second always 5: the team is right where 5 is, the first turn where 1 is.
        PolicyWorkflow workflow = policy -> Workflows.sequence(
                Agent.builder().name("first").role("Answer.").model(saying("1")).build(),
                Agent.builder().name("second").role("Revise.").model(saying("5")).build());
        List<TaskRecord> tasks = List.of(TaskRecord.of("a", "What is 2 + 3?", "5"), TaskRecord.of("b", "What is 4 + 1?", "5"),
                TaskRecord.of("c", "What is 1 + 0?", "1"));

        PolicySpec policy = PolicySpec.of(PolicyCheckpoint.serving(saying("unused")), workflow, new Sampling(1.0, 12));
        Evaluation e = Evaluation.heldOut(0, policy, tasks, AnswerCheck.exact(), new Seeds(1), 2, new InProcessUnitExecutor(4));

        assertEquals(3, e.total());
        assertEquals(2, e.correct(), "the final answers");
        assertEquals(1, e.firstTurnCorrect(), "the first turn's answers");
        assertEquals(4, e.sampledCorrect(), "2 samples a task");
        assertEquals(2, e.sampledFirstTurnCorrect());
        var m = e.record();
        assertEquals(2 / 3.0, m.get("heldout_accuracy").asDouble(), 1e-12);
        assertEquals(1 / 3.0, m.get("heldout_first_turn_accuracy").asDouble(), 1e-12);
        assertEquals(1, m.get("heldout_first_turn_correct").asInt());
        assertEquals(2 / 6.0, m.get("heldout_sampled_first_turn_accuracy").asDouble(), 1e-12);
        assertEquals("1/3 (33.3%)", ExperimentRun.firstTurnAccuracy(m));
    }
}
