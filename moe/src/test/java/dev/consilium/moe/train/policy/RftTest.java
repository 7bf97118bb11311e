package dev.consilium.moe.train.policy;

import dev.consilium.moe.model.Batch;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.consilium.moe.train.policy.PolicyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class RftTest {

    @Test
    void keepsRolloutsAtOrAboveTheThresholdAndTrainsThemExactlyAsSft() {
        List<Rollout> rollouts = List.of(
                Rollout.builder(new int[] {1, 2}, new int[] {3, 4, 5}).reward(1.0).build(),
                Rollout.builder(new int[] {9}, new int[] {10, 11}).reward(0.2).build(),
                Rollout.builder(new int[] {12, 13}, new int[] {14}).build(),
                Rollout.builder(new int[] {6}, new int[] {7, 8}).reward(0.5).mask(new boolean[] {true, false}).build());
        DeepSeekV3Model rft = model(31), sft = model(31);
        Rft.Metrics metrics = new PolicyTrainer(rft, null, options(8, 1e-3f)).gradients(new Rft(0.5), rollouts);
        assertEquals(new Rft.Metrics(metrics.loss(), 2, 1, 1, 4), metrics);

        // plain SFT on the two kept rollouts, laid out by hand: weight 1 on each trained completion target
        int[] tokens = {1, 2, 3, 4, 6, 7, 0, 0};
        int[] targets = {2, 3, 4, 5, 7, 8, 0, 0};
        float[] weights = {0, 1, 1, 1, 1, 0, 0, 0};
        sft.setLossWeights(LossWeights.NONE);
        sft.zeroGrads();
        float loss = sft.forward(Batch.of(tokens, targets, weights, 2, 4)).loss().crossEntropy();
        sft.backward();
        assertArrayEquals(sft.grads(), rft.grads());
        assertEquals(loss, metrics.loss(), 1e-6);
    }

    @Test
    void aStepWithNothingAboveTheThresholdIsAnError() {
        PolicyTrainer trainer = new PolicyTrainer(model(32), null, options(2, 1e-3f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.step(new Rft(0.9), rollouts(33, 0.1, 0.2)));
        assertTrue(e.getMessage().contains("2 below the threshold 0.9"), e.getMessage());
    }
}
