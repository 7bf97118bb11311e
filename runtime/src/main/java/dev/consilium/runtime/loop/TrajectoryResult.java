package dev.consilium.runtime.loop;

import dev.consilium.agents.trajectory.Trajectory;

import java.io.Serial;

/**
 * A unit's trajectory: the value itself in the driver's JVM, its JSON (the journal's own form, which reads back
 * as an equal value, token ids and logprobs included) when it travels back from an executor.
 */
final class TrajectoryResult extends JsonResult<Trajectory> {
    @Serial
    private static final long serialVersionUID = 1L;

    TrajectoryResult(Trajectory trajectory) {
        super(trajectory);
    }

    Trajectory trajectory() {
        return value();
    }

    @Override
    String write(Trajectory t) {
        return t.toJson();
    }

    @Override
    Trajectory read(String json) {
        return Trajectory.fromJson(json);
    }
}
