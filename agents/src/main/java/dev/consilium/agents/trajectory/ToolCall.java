package dev.consilium.agents.trajectory;

/** A tool call a model asked for: its id (as the vendor gave it), the tool's name and the JSON arguments. */
public record ToolCall(String id, String name, String arguments) {}
