package dev.consilium.agents.trajectory;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.agents.Task;

import java.util.List;
import java.util.Objects;

/**
 * The whole record of one workflow run on one task: every model call in the order the calls started, the final
 * answer, and how the run ended. Judges read it; the trainer learns from it. Serializes to one JSON object (one
 * JSONL line, see {@link TrajectoryJsonl}) whose schema {@code docs/TRAJECTORY.md} documents; reading it back
 * gives an equal value.
 *
 * @param schema        {@link #SCHEMA}; bumped when a field changes meaning
 * @param runId         the run's id
 * @param workflow      the name of the workflow (or agent) that ran
 * @param task          the task it ran on
 * @param status        {@code completed} or {@code failed}
 * @param output        the final answer's text; null when the run failed
 * @param value         the final answer's typed value as JSON, where the answering agent has an output type
 * @param failure       why the run failed; null when it completed
 * @param calls         every model call, completed or not
 * @param elapsedMicros wall time of the run
 */
public record Trajectory(String schema, String runId, String workflow, Task task, String status, String output,
                         JsonNode value, Failure failure, List<ModelCall> calls, long elapsedMicros) {

    public static final String SCHEMA = "consilium.trajectory/1";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public Trajectory {
        Objects.requireNonNull(schema, "schema");
        calls = List.copyOf(calls);
    }

    public boolean completed() {
        return COMPLETED.equals(status);
    }

    /** The calls one agent made, in order. */
    public List<ModelCall> callsBy(String agent) {
        return calls.stream().filter(c -> agent.equals(c.agent())).toList();
    }

    /** One line of JSON, no line breaks inside. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("trajectory " + runId + ": cannot serialize: " + e.getOriginalMessage(), e);
        }
    }

    public static Trajectory fromJson(String json) {
        try {
            Trajectory t = JSON.readValue(json, Trajectory.class);
            if (!SCHEMA.equals(t.schema())) {
                throw new IllegalArgumentException("trajectory " + t.runId() + ": schema \"" + t.schema()
                        + "\" is not the one this version reads (\"" + SCHEMA + "\")");
            }
            return t;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a trajectory: " + e.getOriginalMessage(), e);
        }
    }
}
