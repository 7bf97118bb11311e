package dev.consilium.agents;

import dev.consilium.agents.trajectory.Trajectory;

/**
 * Anything that answers a conversation with a turn: an {@link Agent}, or a composition of workflows built with
 * {@link dev.consilium.agents.workflow.Workflows}. Workflows nest because every node is a workflow.
 * Implementations are immutable and thread-safe: one instance runs many tasks at once, and every piece of state
 * of a run lives in the {@link Run}, never in the workflow.
 */
public interface Workflow {

    /** The node's name: its segment in step paths and the agent named in trajectories. */
    String name();

    /** A line the router shows its model when choosing among nodes; the name unless the node says more. */
    default String description() {
        return name();
    }

    /**
     * Answers {@code conversation} inside the current run. Enclosing workflows call it through
     * {@link Run#step}, which names the node in the step path; callers start a run with {@link #run(Task)}.
     */
    Turn respond(Conversation conversation);

    /**
     * Runs this workflow on {@code task} with no deadline or budget.
     *
     * @throws WorkflowException naming the agent and step that failed, holding the trajectory up to the failure
     */
    default Trajectory run(Task task) {
        return Run.execute(this, task, RunOptions.DEFAULT);
    }

    /** Runs this workflow on {@code task} under {@code options}' deadline, budget and partial-output listener. */
    default Trajectory run(Task task, RunOptions options) {
        return Run.execute(this, task, options);
    }
}
