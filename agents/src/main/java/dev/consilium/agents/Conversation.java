package dev.consilium.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a workflow node is given: the task and the turns before it. Immutable; {@link #with} makes a longer one.
 * Each agent's {@link MemoryPolicy} decides how much of it the agent's model sees.
 */
public record Conversation(Task task, List<Turn> turns) {

    public Conversation {
        Objects.requireNonNull(task, "task");
        turns = List.copyOf(turns);
    }

    public static Conversation of(Task task) {
        return new Conversation(task, List.of());
    }

    public Conversation with(Turn turn) {
        List<Turn> more = new ArrayList<>(turns.size() + 1);
        more.addAll(turns);
        more.add(turn);
        return new Conversation(task, more);
    }

    public Conversation with(List<Turn> added) {
        List<Turn> more = new ArrayList<>(turns.size() + added.size());
        more.addAll(turns);
        more.addAll(added);
        return new Conversation(task, more);
    }
}
