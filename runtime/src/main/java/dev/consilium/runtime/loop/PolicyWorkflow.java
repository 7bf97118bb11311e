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

    /**
     * The workflow {@code factory} builds from {@code spec}: named, so that an executor in another JVM rebuilds it
     * from its own plugins ({@link #registered}).
     */
    static PolicyWorkflow of(WorkflowFactory factory, WorkflowSpec spec) {
        return new Named(factory, spec);
    }

    /** {@code spec}'s workflow as {@code plugins} build it; fails naming the type where none registered it. */
    static PolicyWorkflow registered(WorkflowSpec spec, PluginRegistry plugins) {
        if (!plugins.workflows().types().contains(spec.type())) {
            throw new IllegalArgumentException("workflow type \"" + spec.type() + "\" is not registered in this JVM (known: "
                    + plugins.workflows().types() + "); put the jar of the plugin that registers it on the executors' class path");
        }
        return of(plugins.workflows(), spec);
    }

    /** A workflow by its registry name and parameters. */
    record Named(WorkflowFactory factory, WorkflowSpec spec) implements PolicyWorkflow {
        @Override
        public Workflow over(ChatModel policy) {
            return factory.create(spec, policy);
        }
    }
}
