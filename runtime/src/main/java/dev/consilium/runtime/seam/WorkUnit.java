package dev.consilium.runtime.seam;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One independent piece of a round's work, described rather than captured: a unit id the driver keys results
 * by (e.g. {@code r3/task17/rollout2}) and a serialisable payload (a task and seed, an item to judge). The id
 * is what makes a re-run harmless: the driver keeps exactly one result per id, whichever attempt produced it.
 */
public record WorkUnit<P extends Serializable>(String id, P payload) implements Serializable {

    public WorkUnit {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
    }

    public static <P extends Serializable> WorkUnit<P> of(String id, P payload) {
        return new WorkUnit<>(id, payload);
    }

    /** Results are keyed by unit id; two units with one id would make one of them vanish, so that is refused. */
    public static void requireDistinctIds(List<? extends WorkUnit<?>> units) {
        Set<String> seen = new HashSet<>();
        for (WorkUnit<?> u : units) {
            if (!seen.add(u.id())) throw new IllegalArgumentException("unit id " + u.id() + " appears twice; ids key the results");
        }
    }
}
