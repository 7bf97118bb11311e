package dev.consilium.agents;

import java.util.List;

/**
 * Which of the turns before it an agent's model sees. The task itself is always sent; the policy picks among
 * the turns. Long loops and debates grow the conversation; {@link #lastN} bounds what each call resends.
 */
@FunctionalInterface
public interface MemoryPolicy {

    List<Turn> visible(List<Turn> turns);

    /** Every turn: the default. */
    MemoryPolicy ALL = turns -> turns;

    /** The task only: the agent answers as if it were first. */
    MemoryPolicy NONE = turns -> List.of();

    /** The task and the turn right before it: a pipeline stage that reads only its predecessor. */
    MemoryPolicy LAST = lastN(1);

    static MemoryPolicy lastN(int n) {
        if (n < 0) throw new IllegalArgumentException("lastN: n must be >= 0, got " + n);
        return turns -> turns.size() <= n ? turns : turns.subList(turns.size() - n, turns.size());
    }
}
