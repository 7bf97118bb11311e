package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.train.policy.PolicyStep;
import dev.consilium.moe.train.policy.PolicyTrainer;

import java.io.PrintStream;

/**
 * A round's optimizer steps: the batch in {@code minibatches} consecutive slices, one step each. {@code metrics}
 * are the last step's, with the trained-sample count summed and, under {@code "steps"}, every step's own (its
 * gradient norm before clipping, learning rate, and what the algorithm measured: for GRPO loss, KL, entropy, ratio,
 * clip fraction); {@code last} is null when no slice trained.
 */
record PolicyUpdate(PolicyStep<?> last, ObjectNode metrics, double seconds) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static PolicyUpdate train(PolicyTrainer trainer, Algorithm algorithm, TrainingBatch batch, PrintStream log) {
        long started = System.nanoTime();
        batch = algorithm.beforeSteps(trainer, batch);
        ObjectNode m = JSON.createObjectNode();
        int k = Math.max(1, algorithm.minibatches()), n = algorithm.size(batch), trained = 0;
        PolicyStep<?> last = null;
        ArrayNode steps = JSON.createArrayNode();
        for (int i = 0; i < k; i++) {
            int from = n * i / k, to = n * (i + 1) / k;
            if (from == to) continue;
            try {
                ObjectNode step = JSON.createObjectNode();
                Algorithm.Step s = algorithm.step(trainer, batch, from, to, step);
                step.put("grad_norm", s.step().update().gradNorm()).put("lr", (double) s.step().update().lr());
                m.setAll(step);
                steps.add(step);
                last = s.step();
                trained += s.trained();
            } catch (IllegalArgumentException nothingToTrain) {
                // Every rollout in the slice flat or abstained: nothing to learn from it; the round goes on.
                log.println("  no training on slice " + (i + 1) + "/" + k + ": " + nothingToTrain.getMessage());
            }
        }
        m.put("trained_samples", trained);
        if (!steps.isEmpty()) m.set("steps", steps);
        return new PolicyUpdate(last, m, (System.nanoTime() - started) / 1e9);
    }
}
