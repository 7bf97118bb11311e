package dev.consilium.agents.workflow;

import dev.consilium.agents.Task;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.trajectory.Trajectory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkflowSpecTest {

    final WorkflowFactory factory = WorkflowFactory.standard();

    @Test
    void aSpecReadsFromAndWritesToFlatJson() {
        WorkflowSpec spec = WorkflowSpec.parse("{\"type\":\"debate\",\"agents\":3,\"rounds\":2}");
        assertEquals(WorkflowSpec.of("debate", "agents", 3, "rounds", 2), spec);
        assertEquals("{\"type\":\"debate\",\"agents\":3,\"rounds\":2}", spec.toJson());
        assertEquals(spec, WorkflowSpec.parse(spec.toJson()));
    }

    @Test
    void aDebateSpecBuildsADebateOfThatShape() {
        Workflow w = factory.create(WorkflowSpec.parse("{\"type\":\"debate\",\"agents\":3,\"rounds\":2}"), ScriptedChatModel.constant("42"));
        Trajectory t = w.run(Task.of("q"));
        assertEquals(3 * 2 + 1, t.calls().size());
        assertEquals("42", t.output());
    }

    @Test
    void solverCriticReviserRunsItsRounds() {
        Workflow w = factory.create(WorkflowSpec.of("solver-critic-reviser", "rounds", 2), ScriptedChatModel.constant("42"));
        assertEquals(5, w.run(Task.of("q")).calls().size());
    }

    @Test
    void singleAndVoteBuild() {
        assertEquals(1, factory.create(WorkflowSpec.of("single"), ScriptedChatModel.constant("42")).run(Task.of("q")).calls().size());
        assertEquals(3, factory.create(WorkflowSpec.of("vote", "n", 3), ScriptedChatModel.constant("42")).run(Task.of("q")).calls().size());
    }

    @Test
    void unknownTypesAndParametersAreErrorsListingTheKnownOnes() {
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> factory.create(WorkflowSpec.of("debait"), ScriptedChatModel.constant("x")));
        assertTrue(type.getMessage().contains("unknown type \"debait\"; known: [debate, single, solver-critic-reviser, vote]"), type.getMessage());
        IllegalArgumentException param = assertThrows(IllegalArgumentException.class,
                () -> factory.create(WorkflowSpec.of("debate", "round", 2), ScriptedChatModel.constant("x")));
        assertTrue(param.getMessage().contains("unknown parameter \"round\"; it takes [agents, rounds]"), param.getMessage());
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
                () -> factory.create(WorkflowSpec.of("debate", "rounds", "two"), ScriptedChatModel.constant("x")));
        assertTrue(value.getMessage().contains("\"rounds\" must be an integer"), value.getMessage());
    }

    @Test
    void moreTypesCanBeRegistered() {
        WorkflowFactory more = factory.with("echo", java.util.Set.of(), (s, m) -> Workflows.step("echo", c -> c.task().input()));
        assertEquals("q", more.create(WorkflowSpec.of("echo"), ScriptedChatModel.constant("x")).run(Task.of("q")).output());
    }
}
