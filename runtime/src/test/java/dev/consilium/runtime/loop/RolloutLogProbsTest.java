package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.policy.PolicyTrainer;
import dev.consilium.moe.train.policy.Rollout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.consilium.runtime.loop.LoopFixture.JSON;
import static dev.consilium.runtime.loop.LoopFixture.lines;
import static org.junit.jupiter.api.Assertions.*;

/**
 * GRPO's ratio pi/pi_old is only right if the log-probs a rollout records are the policy's own for exactly the
 * tokens it is later trained on: the prompt the chat template renders from the recorded messages, and the
 * completion with its end-of-turn token. Checked on the shipped base policy, through the loop's own path: the
 * solver-reviser workflow, sampling at the rollout temperature, 64 rollouts decoded at once.
 */
class RolloutLogProbsTest {
    @TempDir
    Path dir;

    @Test
    void recordedLogProbsAreThePolicysOwnForTheTokensItIsTrainedOn() {
        Path policy = Path.of("..", "models", "demo-policy");
        Path run = dir.resolve("run");
        var e = JSON.createObjectNode().put("name", "logprobs").put("policy", policy.toString());
        e.putObject("workflow").put("type", "solver-reviser");
        e.putObject("tasks").put("train", "../datasets/arithmetic/train.jsonl")
                .put("heldout", "../datasets/arithmetic/heldout.jsonl").put("heldout_limit", 2);
        e.putArray("rewards").addObject().put("type", "exact_match");
        e.putObject("algorithm").put("name", "grpo").put("lr", 1e-5);
        e.put("rounds", 1).put("tasks_per_round", 8).put("rollouts_per_task", 4).put("temperature", 0.7)
                .put("seed", 3).put("out", run.toString());
        ExperimentRun.start(LoopFixture.parse(e), LoopFixture.quiet()).run();

        ModelCheckpoint start = ModelCheckpoint.load(policy);
        ChatTemplate template = ChatTemplate.deepSeekV3(start.tokenizer());
        PolicyTrainer trainer = new PolicyTrainer(start.model(), null, TrainOptions.builder().batchSize(64).seqLen(256)
                .lossWeights(LossWeights.NONE).biasUpdateSpeed(0).build());
        List<Rollout> rollouts = new ArrayList<>();
        List<float[]> recorded = new ArrayList<>();
        for (JsonNode r : lines(run.resolve("trajectories.jsonl"))) {
            Trajectory t = JSON.convertValue(r.get("trajectory"), Trajectory.class);
            for (ModelCall c : t.calls()) {
                Rollout rollout = TrainingBatch.sample(c, template, 0, 0);
                assertNotNull(rollout, "a finished call with tokens is a training sample: " + c);
                int[] completion = rollout.completion();
                assertEquals(template.endOfTurn(), completion[completion.length - 1],
                        "the end-of-turn token closes the sampled completion, and is trained with it: " + c.output());
                // the recorded log-probs the loop hands GRPO as pi_old, and the policy's own for the same tokens
                float[] lp = rollout.logProbs();
                rollouts.add(rollout.withLogProbs(null));
                recorded.add(lp);
            }
        }
        assertEquals(8 * 4 * 2, rollouts.size(), "every rollout's solver and reviser turn is recorded");
        List<float[]> trained = trainer.logProbs(rollouts);
        double worst = 0;
        for (int k = 0; k < rollouts.size(); k++) {
            for (int j = 0; j < recorded.get(k).length; j++) worst = Math.max(worst, Math.abs(recorded.get(k)[j] - trained.get(k)[j]));
        }
        assertTrue(worst < 1e-4, "recorded and trained log-probs differ by up to " + worst);
    }
}
