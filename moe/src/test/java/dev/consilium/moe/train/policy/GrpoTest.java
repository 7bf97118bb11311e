package dev.consilium.moe.train.policy;

import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.consilium.moe.train.policy.PolicyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class GrpoTest {

    /** The GRPO objective written out directly from the policy's log-probs, in double. */
    static double objective(Grpo g, PackedBatch p, List<Rollout> rows, float[] logp, float[] ref) {
        double total = 0, tokens = 0, sequenceMeans = 0;
        for (int b = 0; b < rows.size(); b++) {
            Rollout r = rows.get(b);
            double sum = 0;
            int n = 0;
            for (int j = 0; j < r.completion().length; j++) {
                if (r.mask() != null && !r.mask()[j]) continue;
                double lp = logp[p.position(b, j)];
                double ratio = Math.exp(lp - r.logProbs()[j]);
                double clipped = Math.max(1 - g.clipLow(), Math.min(1 + g.clipHigh(), ratio));
                double d = ref[p.position(b, j)] - lp;
                sum += -Math.min(ratio * r.advantage(), clipped * r.advantage()) + g.beta() * (Math.exp(d) - d - 1);
                n++;
            }
            total += sum;
            tokens += n;
            sequenceMeans += sum / n;
        }
        return g.aggregation() == Grpo.Aggregation.TOKEN ? total / tokens : sequenceMeans / rows.size();
    }

    /**
     * Sampling log-probs shifted from the policy's by -0.5, -0.1, 0, 0.1, 0.5 in turn: ratios e^0.5 and e^-0.5
     * lie outside [0.8, 1.28], the others inside, all far from the bounds for a finite-difference step.
     */
    static List<Rollout> offPolicy(PolicyTrainer trainer, List<Rollout> rollouts) {
        return offPolicy(trainer, rollouts, 1);
    }

    /** As {@link #offPolicy(PolicyTrainer, List)}, around the policy's log-probs at {@code temperature}. */
    static List<Rollout> offPolicy(PolicyTrainer trainer, List<Rollout> rollouts, double temperature) {
        double[] shift = {-0.5, -0.1, 0, 0.1, 0.5};
        List<float[]> lp = trainer.logProbs(rollouts, temperature);
        List<Rollout> out = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < rollouts.size(); i++) {
            float[] old = lp.get(i).clone();
            for (int j = 0; j < old.length; j++) old[j] -= (float) shift[k++ % shift.length];
            out.add(rollouts.get(i).withLogProbs(old));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Grpo.Aggregation.class)
    void gradientMatchesFiniteDifferencesOfTheObjectiveWithClippingAndKl(Grpo.Aggregation aggregation) {
        DeepSeekV3Model policy = model(1);
        ReferenceModel reference = ReferenceModel.frozenCopyOf(model(2));
        PolicyTrainer trainer = new PolicyTrainer(policy, reference, options(8, 1e-3f));
        List<Rollout> base = rollouts(3, 1.0, -0.7, 0.4, -1.2);
        boolean[] mask = {true, false, true, true, false, true};
        Rollout r0 = base.getFirst();
        base.set(0, new Rollout(r0.prompt(), r0.completion(), null, 1, 1, Arrays.copyOf(mask, r0.completion().length)));
        List<Rollout> rollouts = offPolicy(trainer, base);
        Grpo grpo = Grpo.builder().clipLow(0.2).clipHigh(0.28).beta(0.3).aggregation(aggregation).build();

        Grpo.Metrics metrics = trainer.gradients(grpo, rollouts);
        float[] grads = policy.grads().clone();
        assertTrue(metrics.clipFraction() > 0.1 && metrics.clipFraction() < 0.9, "clipping active for some tokens: " + metrics);
        assertTrue(metrics.kl() > 0.01, "the reference differs from the policy: " + metrics);

        PackedBatch p = PackedBatch.pack(rollouts, 32);
        float[] ref = reference.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen());
        policy.holdRouting(true);
        float[] logp = policy.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen());
        assertEquals(objective(grpo, p, rollouts, logp, ref), metrics.loss(), 1e-9);
        assertGradientMatches(policy, grads, () -> objective(grpo, p, rollouts,
                policy.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen()), ref));
    }

    /**
     * Rollouts sampled at temperature 0.7 are trained on log softmax(logits / 0.7): the objective written out on
     * those log-probs (policy, pi_old and reference alike) is the one whose gradient the step computes, so the
     * backward carries the chain rule's 1 / 0.7. Trained at temperature 1 instead, the gradient misses both the
     * factor and the sharper softmax, and this fails.
     */
    @Test
    void atASamplingTemperatureTheGradientIsThatOfTheTemperedLogProbs() {
        float t = 0.7f;
        DeepSeekV3Model policy = model(1);
        ReferenceModel reference = ReferenceModel.frozenCopyOf(model(2));
        PolicyTrainer trainer = new PolicyTrainer(policy, reference, options(8, 1e-3f));
        List<Rollout> rollouts = offPolicy(trainer, rollouts(3, 1.0, -0.7, 0.4, -1.2), t);
        Grpo grpo = Grpo.builder().clipLow(0.2).clipHigh(0.28).beta(0.3).temperature(t).build();

        Grpo.Metrics metrics = trainer.gradients(grpo, rollouts);
        float[] grads = policy.grads().clone();
        assertTrue(metrics.clipFraction() > 0.1 && metrics.clipFraction() < 0.9, "clipping active for some tokens: " + metrics);

        PackedBatch p = PackedBatch.pack(rollouts, 32);
        float[] ref = reference.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen(), t);
        policy.holdRouting(true);
        float[] logp = policy.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen(), t);
        assertEquals(objective(grpo, p, rollouts, logp, ref), metrics.loss(), 1e-9);
        assertGradientMatches(policy, grads, () -> objective(grpo, p, rollouts,
                policy.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen(), t), ref));
    }

    @Test
    void temperedLogProbsAreTheLogSoftmaxOfTheScaledLogits() {
        DeepSeekV3Model policy = model(19);
        PackedBatch p = PackedBatch.pack(rollouts(20, 1.0, -1.0), 32);
        int V = CONFIG.vocabSize(), N = p.tokens().length;
        float[] logits = policy.logits(p.tokens(), p.batchSize(), p.seqLen());
        float[] tempered = policy.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen(), 0.5f);
        float[] plain = policy.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen());
        double apart = 0;
        for (int n = 0; n < N; n++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[n * V + v] / 0.5);
            for (int v = 0; v < V; v++) sum += Math.exp(logits[n * V + v] / 0.5 - max);
            double expected = logits[n * V + p.targets()[n]] / 0.5 - max - Math.log(sum);
            assertEquals(expected, tempered[n], 1e-4, "position " + n);
            apart = Math.max(apart, Math.abs(tempered[n] - plain[n]));
        }
        assertTrue(apart > 0.01, "temperature 0.5 changes the log-probs: " + apart);
        assertThrows(IllegalArgumentException.class, () -> policy.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen(), 0f));
    }

    @Test
    void aStepRaisesTheLogProbOfAPositiveAdvantageSampleAndLowersANegativeOne() {
        Grpo grpo = Grpo.builder().build();
        for (double advantage : new double[] {1, -1}) {
            PolicyTrainer trainer = new PolicyTrainer(model(4), null, options(4, 1e-2f));
            List<Rollout> rollout = rollouts(5, advantage);
            double before = sequenceLogProb(trainer, rollout.getFirst());
            trainer.step(grpo, rollout);
            double after = sequenceLogProb(trainer, rollout.getFirst());
            assertTrue(advantage > 0 ? after > before + 0.1 : after < before - 0.1,
                    "advantage " + advantage + ": log-prob " + before + " -> " + after);
        }
    }

    @Test
    void tokensBeyondTheClipRangeGetNoGradient() {
        DeepSeekV3Model policy = model(6);
        PolicyTrainer trainer = new PolicyTrainer(policy, null, options(8, 1e-3f));
        List<Rollout> rollouts = rollouts(7, 1.0, -1.0);
        List<float[]> lp = trainer.logProbs(rollouts);
        // r = e above 1 + clipHigh with A > 0, r = 1/e below 1 - clipLow with A < 0
        List<Rollout> clipped = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            float[] old = lp.get(i).clone();
            for (int j = 0; j < old.length; j++) old[j] += i == 0 ? -1 : 1;
            clipped.add(rollouts.get(i).withLogProbs(old));
        }
        Grpo.Metrics metrics = trainer.gradients(Grpo.builder().build(), clipped);
        assertEquals(1.0, metrics.clipFraction());
        for (float g : policy.grads()) assertEquals(0f, g);
    }

    @Test
    void theFirstUpdateOnThePolicysOwnLogProbsHasRatioExactlyOne() {
        PolicyTrainer trainer = new PolicyTrainer(model(8), null, options(2, 1e-3f));
        List<Rollout> rollouts = rollouts(9, 0.5, Double.NaN, -0.3, 1.1, -0.9);
        // the step packs the four non-abstained rollouts into other micro-batches than these five
        List<float[]> lp = trainer.logProbs(rollouts);
        List<Rollout> sampled = new ArrayList<>();
        for (int i = 0; i < rollouts.size(); i++) sampled.add(rollouts.get(i).withLogProbs(lp.get(i)));
        Grpo.Metrics metrics = trainer.step(Grpo.builder().build(), sampled).metrics();
        assertEquals(1.0, metrics.meanRatio());
        assertEquals(0.0, metrics.clipFraction());
        double nll = 0;
        int tokens = 0;
        for (int i : new int[] {0, 2, 3, 4}) {
            for (float v : lp.get(i)) nll -= v;
            tokens += lp.get(i).length;
        }
        assertEquals(tokens, metrics.tokens());
        assertEquals(nll / tokens, metrics.entropy(), 1e-12);
    }

    @Test
    void abstainedRolloutsAreMaskedAndCountedAndZeroAdvantagesCounted() {
        DeepSeekV3Model policy = model(10);
        PolicyTrainer trainer = new PolicyTrainer(policy, null, options(8, 1e-3f));
        List<Rollout> all = rollouts(11, 0.8, Double.NaN, 0.0, -0.4);
        Grpo grpo = Grpo.builder().build();
        Grpo.Metrics metrics = trainer.gradients(grpo, all);
        float[] withAbstained = policy.grads().clone();
        trainer.gradients(grpo, List.of(all.get(0), all.get(2), all.get(3)));
        assertArrayEquals(policy.grads(), withAbstained);
        assertEquals(1, metrics.abstained());
        assertEquals(1, metrics.zeroAdvantage());
        assertEquals(3, metrics.samples());
        assertTrue(Double.isNaN(metrics.kl()), "no reference, no KL");
    }

    @Test
    void paddingNeverReceivesGradient() {
        Grpo grpo = Grpo.builder().beta(0.2).aggregation(Grpo.Aggregation.SEQUENCE).build();
        List<Rollout> rollouts = rollouts(12, 0.9, -0.6, 0.3);
        ReferenceModel reference = ReferenceModel.frozenCopyOf(model(14));
        DeepSeekV3Model padded = model(13), alone = model(13);
        new PolicyTrainer(padded, reference, options(3, 1e-3f)).gradients(grpo, rollouts);
        new PolicyTrainer(alone, reference, options(1, 1e-3f)).gradients(grpo, rollouts);
        PackedBatch p = PackedBatch.pack(rollouts, 32);
        assertTrue(p.tokens().length > rollouts.stream().mapToInt(r -> r.prompt().length + r.completion().length - 1).sum(),
                "one micro-batch of three rows has padding");
        NamedTensor embedding = padded.gradients().getFirst();
        for (int c = 0; c < CONFIG.hiddenSize(); c++) assertEquals(0f, embedding.get(c), "padding token 0's embedding");
        float[] a = padded.grads(), b = alone.grads();
        double scale = 0;
        for (float g : b) scale = Math.max(scale, Math.abs(g));
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-5 * scale, "gradient " + i);
    }

    @Test
    void withBetaZeroTheReferenceIsNeverRun() {
        ReferenceModel never = (tokens, targets, B, T, temperature) -> fail("the reference ran with beta 0");
        PolicyTrainer trainer = new PolicyTrainer(model(15), never, options(2, 1e-3f));
        Grpo.Metrics metrics = trainer.step(Grpo.builder().beta(0).build(), rollouts(16, 1, -1, 0.5)).metrics();
        assertTrue(Double.isNaN(metrics.kl()));
        assertTrue(Double.isFinite(metrics.loss()));
    }

    @Test
    void aStepWhereEveryRolloutAbstainedIsAnError() {
        PolicyTrainer trainer = new PolicyTrainer(model(17), null, options(2, 1e-3f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.step(Grpo.builder().build(), rollouts(18, Double.NaN, Double.NaN)));
        assertTrue(e.getMessage().contains("all 2 abstained"), e.getMessage());
    }
}
