package dev.consilium.runtime.loop;

import dev.consilium.agents.trajectory.Trajectory;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * A unit's trajectory: the value itself in the driver's JVM, its JSON (the journal's own form, which reads back
 * as an equal value, token ids and logprobs included) when it travels back from an executor.
 */
final class TrajectoryResult implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private transient Trajectory trajectory;

    TrajectoryResult(Trajectory trajectory) {
        this.trajectory = trajectory;
    }

    Trajectory trajectory() {
        return trajectory;
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        out.writeObject(trajectory.toJson());
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        trajectory = Trajectory.fromJson((String) in.readObject());
    }
}
