package dev.consilium.agents.workflow;

/**
 * How far a {@link MapRun} has got: tasks finished (failed ones included) out of the total, which is -1 when
 * the tasks come from an iterable of unknown size.
 */
public record Progress(int done, int failed, int total) {}
