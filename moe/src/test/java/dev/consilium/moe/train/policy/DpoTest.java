package dev.consilium.moe.train.policy;

import dev.consilium.moe.model.DeepSeekV3Model;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.consilium.moe.train.policy.PolicyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class DpoTest {

    static List<TokenPreferencePair> pairs(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TokenPreferencePair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TokenPreferencePair(tokens(r, r.nextInt(2, 5)), tokens(r, r.nextInt(2, 6)), tokens(r, r.nextInt(2, 6))));
        }
        return out;
    }

    /** Sum of log-probs of a completion of a single-row batch. */
    static double sequenceLogProb(ReferenceModel m, int[] prompt, int[] completion) {
        PackedBatch p = PackedBatch.pack(List.of(new TokenPreferencePair(prompt, completion, completion).chosenSide()), 32);
        return p.completionLogProb(0, m.logProbs(p.tokens(), p.targets(), 1, p.seqLen()));
    }

    /** The DPO loss written out directly, in double: mean over pairs of -log sigmoid(beta * margin). */
    static double objective(double beta, List<TokenPreferencePair> pairs, ReferenceModel policy, ReferenceModel reference) {
        double sum = 0;
        for (TokenPreferencePair q : pairs) {
            double m = sequenceLogProb(policy, q.prompt(), q.chosen()) - sequenceLogProb(reference, q.prompt(), q.chosen())
                    - sequenceLogProb(policy, q.prompt(), q.rejected()) + sequenceLogProb(reference, q.prompt(), q.rejected());
            sum += Math.log1p(Math.exp(-beta * m));
        }
        return sum / pairs.size();
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheObjective() {
        DeepSeekV3Model policy = model(21);
        ReferenceModel reference = ReferenceModel.frozenCopyOf(model(22));
        List<TokenPreferencePair> pairs = pairs(23, 3);
        Dpo dpo = new Dpo(0.5);
        PolicyTrainer trainer = new PolicyTrainer(policy, reference, options(6, 1e-3f));
        Dpo.Metrics metrics = trainer.gradients(dpo, pairs);
        float[] grads = policy.grads().clone();
        assertEquals(objective(0.5, pairs, policy::logProbs, reference), metrics.loss(), 1e-5);
        // the objective's forwards are one row each, so routing is not held: a finite-difference step of
        // 3e-3 stays clear of this model's routing boundaries, as the check passing at all entries shows
        assertGradientMatches(policy, grads, () -> objective(0.5, pairs, policy::logProbs, reference));
    }

    @Test
    void theMarginStartsAtZeroAgainstACopyAndGrowsOverAFewSteps() {
        DeepSeekV3Model policy = model(24);
        AtomicInteger referenceRuns = new AtomicInteger();
        ReferenceModel copy = ReferenceModel.frozenCopyOf(policy);
        ReferenceModel counted = (tokens, targets, B, T, temperature) -> {
            referenceRuns.incrementAndGet();
            return copy.logProbs(tokens, targets, B, T, temperature);
        };
        PolicyTrainer trainer = new PolicyTrainer(policy, counted, options(4, 1e-2f));
        List<TokenPreferencePair> pairs = pairs(25, 4);
        Dpo dpo = new Dpo(0.1);
        Dpo.Metrics first = trainer.step(dpo, pairs).metrics();
        assertEquals(0.0, first.rewardMargin());
        assertEquals(Math.log(2), first.loss(), 1e-15);
        assertEquals(2, referenceRuns.get(), "two micro-batches of two pairs, the reference run once each");
        Dpo.Metrics last = first;
        for (int i = 0; i < 5; i++) last = trainer.step(dpo, pairs).metrics();
        assertEquals(2, referenceRuns.get(), "reference log-probs are cached per pair");
        assertTrue(last.rewardMargin() > 0.1, "margin " + first.rewardMargin() + " -> " + last.rewardMargin());
        assertTrue(last.loss() < first.loss());
        assertEquals(1.0, last.accuracy());
    }

    @Test
    void aFrozenCopyDoesNotFollowThePolicy() {
        DeepSeekV3Model policy = model(26);
        ReferenceModel copy = ReferenceModel.frozenCopyOf(policy);
        TokenPreferencePair pair = pairs(27, 1).getFirst();
        double before = sequenceLogProb(copy, pair.prompt(), pair.chosen());
        PolicyTrainer trainer = new PolicyTrainer(policy, copy, options(2, 1e-2f));
        trainer.step(new Dpo(0.1), List.of(pair));
        assertEquals(before, sequenceLogProb(copy, pair.prompt(), pair.chosen()));
        assertNotEquals(before, sequenceLogProb(policy::logProbs, pair.prompt(), pair.chosen()));
    }
}
