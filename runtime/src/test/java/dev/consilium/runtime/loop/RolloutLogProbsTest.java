package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.policy.PackedBatch;
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
 * <p>
 * At a rollout temperature T other than 1 the tokens were drawn from softmax(logits / T), so pi_old, and the
 * policy's log-probs GRPO differentiates, must be that distribution's, not the model's own (temperature 1) that the
 * generator reports: trained at temperature 1, rollouts sampled at 0.7 were off-policy.
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
        List<Rollout> rollouts = new ArrayList<>(), sampled = new ArrayList<>();
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
                sampled.add(rollout);
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

        // pi_old as the loop's GRPO fixes it before several steps on the batch, and the policy's log-probs it trains:
        // both log softmax(logits / 0.7) of the sampled tokens, computed here from the raw logits
        var batch = new TrainingBatch(sampled, List.of(), List.of(), 0.7);
        var grpo = new Algorithm.Grpo(1e-5, 0.2, 0.28, 0, 2, 0);
        List<Rollout> fixed = grpo.beforeSteps(trainer, batch).samples();
        List<float[]> tempered = trainer.logProbs(rollouts, 0.7);
        double worstOld = 0, worstTrained = 0, fromRecorded = 0;
        for (int k = 0; k < rollouts.size(); k++) {
            float[] expected = sampledAt(start.model(), rollouts.get(k), 0.7);
            for (int j = 0; j < expected.length; j++) {
                worstOld = Math.max(worstOld, Math.abs(fixed.get(k).logProbs()[j] - expected[j]));
                worstTrained = Math.max(worstTrained, Math.abs(tempered.get(k)[j] - expected[j]));
                fromRecorded = Math.max(fromRecorded, Math.abs(recorded.get(k)[j] - expected[j]));
            }
        }
        assertTrue(worstOld < 1e-4, "pi_old differs from the sampling distribution at temperature 0.7 by up to " + worstOld);
        assertTrue(worstTrained < 1e-4, "trained log-probs differ from the sampling distribution's by up to " + worstTrained);
        assertTrue(fromRecorded > 0.05, "at temperature 0.7 the sampling distribution is not the model's own: " + fromRecorded);
        assertNull(new Algorithm.Grpo(1e-5, 0.2, 0.28, 0, 1, 0).beforeSteps(trainer, batch).samples().getFirst().logProbs(),
                "one step a round trains on-policy from its own log-probs");
        var atOne = new TrainingBatch(sampled, List.of(), List.of(), 1.0);
        assertSame(sampled.getFirst().logProbs(), grpo.beforeSteps(trainer, atOne).samples().getFirst().logProbs(),
                "at temperature 1 the log-probs recorded while sampling are pi_old (checked equal above)");
    }

    /** log softmax(logits / t) of each completion token of {@code r}, in double from the model's raw logits. */
    private static float[] sampledAt(DeepSeekV3Model model, Rollout r, double t) {
        PackedBatch p = PackedBatch.pack(List.of(r), 256);
        int V = model.config().vocabSize();
        float[] logits = model.logits(p.tokens(), 1, p.seqLen());
        float[] out = new float[r.completion().length];
        for (int j = 0; j < out.length; j++) {
            int n = p.position(0, j);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[n * V + v] / t);
            for (int v = 0; v < V; v++) sum += Math.exp(logits[n * V + v] / t - max);
            out[j] = (float) (logits[n * V + r.completion()[j]] / t - max - Math.log(sum));
        }
        return out;
    }
}
