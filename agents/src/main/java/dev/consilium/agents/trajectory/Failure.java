package dev.consilium.agents.trajectory;

/**
 * Why a run failed: the agent and workflow node where it happened, the exception's type and its message.
 *
 * @param type the simple class name of the root failure, e.g. {@code DeadlineExceededException}
 */
public record Failure(String agent, String path, String type, String message) {}
