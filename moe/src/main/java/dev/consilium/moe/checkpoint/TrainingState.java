package dev.consilium.moe.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.optim.LrSchedule;
import dev.consilium.moe.optim.OptimizerState;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a trainer needs besides the weights to continue exactly where it stopped. Saved as
 * {@code training_state.json} (every field but the optimizer's buffers) and {@code optimizer.safetensors}.
 *
 * @param step         optimizer updates taken by the run.
 * @param seed         the run's seed.
 * @param rngState     the trainer's random generator state, as its raw words.
 * @param schedule     the learning-rate schedule, or null when the trainer does not use one.
 * @param scheduleStep position in {@code schedule}; differs from {@code step} when a schedule restarts, e.g.
 *                     once per self-improvement round.
 * @param optimizer    the optimizer's state, or null.
 */
public record TrainingState(long step, long seed, long[] rngState, LrSchedule schedule, long scheduleStep,
                            OptimizerState optimizer) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public TrainingState {
        rngState = rngState.clone();
    }

    @Override
    public long[] rngState() {
        return rngState.clone();
    }

    /** The JSON of {@code training_state.json}; the optimizer appears as kind and step, its buffers elsewhere. */
    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("step", step);
        root.put("seed", seed);
        var rng = root.putArray("rng_state");
        for (long w : rngState) rng.add(w);
        if (schedule != null) {
            ObjectNode s = root.putObject("lr_schedule");
            s.put("max_lr", schedule.maxLr());
            s.put("warmup_steps", schedule.warmupSteps());
            s.put("total_steps", schedule.totalSteps());
            s.put("min_lr_ratio", schedule.minLrRatio());
        }
        root.put("schedule_step", scheduleStep);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new CheckpointException("cannot encode training state: " + e, e);
        }
    }

    static TrainingState fromJson(String file, byte[] json, OptimizerState optimizer) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CheckpointException(file + ": malformed JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointException(file + ": not a JSON object");
        JsonNode rng = root.get("rng_state");
        if (rng == null || !rng.isArray()) throw new CheckpointException(file + ": missing \"rng_state\" array");
        long[] words = new long[rng.size()];
        for (int i = 0; i < words.length; i++) {
            if (!rng.get(i).canConvertToLong() || !rng.get(i).isIntegralNumber()) {
                throw new CheckpointException(file + ": \"rng_state\"[" + i + "] must be a 64-bit integer, was " + rng.get(i));
            }
            words[i] = rng.get(i).asLong();
        }
        LrSchedule schedule = null;
        JsonNode s = root.get("lr_schedule");
        if (s != null && !s.isNull()) {
            try {
                schedule = new LrSchedule(floatField(file, s, "max_lr"), longField(file, s, "warmup_steps"),
                        longField(file, s, "total_steps"), floatField(file, s, "min_lr_ratio"));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file + ": \"lr_schedule\": " + e.getMessage(), e);
            }
        }
        return new TrainingState(longField(file, root, "step"), longField(file, root, "seed"), words, schedule,
                longField(file, root, "schedule_step"), optimizer);
    }

    private static long longField(String file, JsonNode o, String key) {
        JsonNode n = o.get(key);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new CheckpointException(file + ": \"" + key + "\" must be an integer, was " + n);
        }
        return n.asLong();
    }

    private static float floatField(String file, JsonNode o, String key) {
        JsonNode n = o.get(key);
        if (n == null || !n.isNumber()) throw new CheckpointException(file + ": \"" + key + "\" must be a number, was " + n);
        // Through the text: float -> shortest decimal -> float is exact, while a detour through double may not be.
        return Float.parseFloat(n.asText());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingState t && step == t.step && seed == t.seed && Arrays.equals(rngState, t.rngState)
                && Objects.equals(schedule, t.schedule) && scheduleStep == t.scheduleStep
                && Objects.equals(optimizer, t.optimizer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(step, seed, Arrays.hashCode(rngState), schedule, scheduleStep);
    }

    @Override
    public String toString() {
        return "TrainingState[step=" + step + ", seed=" + seed + ", rngState=" + Arrays.toString(rngState)
                + ", schedule=" + schedule + ", scheduleStep=" + scheduleStep + ", optimizer="
                + (optimizer == null ? null : optimizer.kind() + "@" + optimizer.step()) + "]";
    }
}
