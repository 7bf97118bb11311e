package dev.consilium.runtime.loop;

import dev.consilium.agents.Workflow;
import dev.consilium.agents.workflow.WorkflowFactory;
import dev.consilium.agents.workflow.WorkflowSpec;
import dev.langchain4j.model.chat.ChatModel;

/**
 * The workflow an experiment trains, made over the policy as it is now: every round (and every rollout, with
 * its own seeded sampling) asks for a fresh one, so any {@link Workflow} whose agents use the given model fits.
 */
@FunctionalInterface
public interface PolicyWorkflow {

    Workflow over(ChatModel policy);

    /** The workflow {@code factory} builds from {@code spec}. */
    static PolicyWorkflow of(WorkflowFactory factory, WorkflowSpec spec) {
        return policy -> factory.create(spec, policy);
    }
}
