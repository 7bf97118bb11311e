package dev.consilium.agents;

/**
 * A piece of the final answer as the model produces it, delivered to {@link RunOptions#onPartial()} while the run
 * goes on: the agent speaking, its workflow node, and the new text.
 */
public record Partial(String agent, String path, String text) {}
