package dev.consilium.runtime.loop;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * One run of the workflow as a description: the task (its id in the trajectory, its input and metadata) and
 * either the sampling seed of a rollout or a sampled held-out answer, or greedy decoding.
 */
record PolicyUnit(String taskId, String input, Map<String, String> metadata, long seed, boolean greedy) implements Serializable {

    PolicyUnit {
        metadata = new HashMap<>(metadata);   // a plain map: serialisable whatever the caller's map was
    }

    static PolicyUnit sampled(String taskId, String input, Map<String, String> metadata, long seed) {
        return new PolicyUnit(taskId, input, metadata, seed, false);
    }

    static PolicyUnit greedy(String taskId, String input, Map<String, String> metadata) {
        return new PolicyUnit(taskId, input, metadata, 0, true);
    }
}
