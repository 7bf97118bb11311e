package dev.consilium.runtime.demo.arithmetic;

import dev.consilium.agents.Agent;
import dev.consilium.agents.Conversation;
import dev.consilium.agents.MemoryPolicy;
import dev.consilium.agents.Task;
import dev.consilium.agents.Turn;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.Workflows;
import dev.consilium.runtime.datasets.ArithmeticDialogues;
import dev.langchain4j.model.chat.ChatModel;

import java.util.List;
import java.util.Set;

/**
 * The demo's two-role workflow: a solver answers, then a reviser checks the solver's proposal and gives the
 * final answer. The reviser is asked the task with the proposal attached ({@link ArithmeticDialogues#reviserPrompt}),
 * the form the demo policy was warmed up on, rather than the solver's turn as a separate message.
 */
public final class SolverReviser {
    public static final String TYPE = "solver-reviser";

    private SolverReviser() {}

    /** The standard workflow types plus this one. */
    public static WorkflowFactory factory() {
        return WorkflowFactory.standard().with(TYPE, Set.of(), (spec, model) -> create(model));
    }

    public static Workflow create(ChatModel model) {
        Agent solver = Agent.builder().name("solver").role(ArithmeticDialogues.SOLVER_ROLE).model(model)
                .memory(MemoryPolicy.NONE).build();
        Agent reviser = Agent.builder().name("reviser").role(ArithmeticDialogues.REVISER_ROLE).model(model)
                .memory(MemoryPolicy.NONE).build();
        return Workflows.sequence(solver, new Reviewing(reviser)).named(TYPE);
    }

    /** Puts the last turn's answer into the reviser's task. */
    private record Reviewing(Agent reviser) implements Workflow {
        @Override
        public String name() {
            return reviser.name();
        }

        @Override
        public Turn respond(Conversation c) {
            String proposal = c.turns().isEmpty() ? "" : c.turns().getLast().text();
            Task asked = new Task(c.task().id(), ArithmeticDialogues.reviserPrompt(c.task().input(), proposal), c.task().metadata());
            return reviser.respond(new Conversation(asked, List.of()));
        }
    }
}
