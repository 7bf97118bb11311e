package dev.consilium.agents;

import dev.consilium.agents.trajectory.Trajectory;

/**
 * A run failed. The message names the agent and the step path where it failed and what went wrong; the cause
 * is the original failure (a provider error, a {@link InvalidOutputException}, a deadline or budget).
 * {@link #trajectory()} holds every call up to the failure, those still in flight marked as such.
 */
public class WorkflowException extends RuntimeException {

    private final String agent;
    private final String path;
    private final transient Trajectory trajectory;

    public WorkflowException(String message, String agent, String path, Throwable cause) {
        this(message, agent, path, cause, null);
    }

    private WorkflowException(String message, String agent, String path, Throwable cause, Trajectory trajectory) {
        super(message, cause);
        this.agent = agent;
        this.path = path;
        this.trajectory = trajectory;
    }

    /** Wraps a failure of the node {@code agent} at {@code path}, unless it is already a workflow failure. */
    static WorkflowException at(String agent, String path, Throwable cause) {
        if (cause instanceof WorkflowException we) return we;
        String what = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        return new WorkflowException("agent '" + agent + "' at step '" + path + "' failed: " + what, agent, path, cause);
    }

    WorkflowException withTrajectory(Trajectory t) {
        WorkflowException e = new WorkflowException(getMessage(), agent, path, getCause(), t);
        e.setStackTrace(getStackTrace());
        return e;
    }

    public String agent() {
        return agent;
    }

    public String path() {
        return path;
    }

    /** The run's trajectory up to the failure; null only on an exception not thrown by {@link Workflow#run}. */
    public Trajectory trajectory() {
        return trajectory;
    }
}
