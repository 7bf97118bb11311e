package dev.consilium.moe.train.policy;

import dev.consilium.moe.checkpoint.TrainingState;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.ForwardPass;
import dev.consilium.moe.model.Loss;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.Trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Trains the built-in model on rollouts and preferences: GRPO, DPO and RFT over the model's one loss path.
 * A step packs its samples into micro-batches of {@code options.batchSize()} rows ({@link PackedBatch}; a DPO
 * micro-batch holds half as many pairs, both sides of each), runs forward, turns the log-probs into per-token
 * weights, runs backward, and after the last micro-batch clips, steps the optimizer and updates the routing
 * biases exactly as {@link Trainer} does (same optimizer, schedule and checkpoint state).
 * <p>
 * Each objective's normalizer counts the whole step (tokens, rollouts or pairs), not the micro-batch, so the
 * gradients of the micro-batches simply add up to the gradient of the step's objective: how a step is cut into
 * micro-batches changes nothing but rounding. The step's size is the samples passed to it; of
 * {@link TrainOptions}, {@code gradAccumulation}, {@code seed} and {@code sequential} do not apply, and
 * {@code seqLen} is the longest row allowed (rows are padded only to the longest of their micro-batch).
 * <p>
 * The model's auxiliary losses follow {@code options.lossWeights()}: MTP modules get the objective's per-token
 * weights, the sequence-wise balance loss applies per micro-batch and also sees padding. Pass
 * {@link dev.consilium.moe.model.LossWeights#NONE} for the objective alone; auxiliary-loss-free balancing
 * (the bias update) runs either way.
 */
public final class PolicyTrainer {
    private final DeepSeekV3Model policy;
    private final ReferenceModel reference;
    private final TrainOptions options;
    private final Trainer trainer;
    /** Per pair, the reference's {chosen, rejected} sequence log-probs: the reference is frozen, so once is enough. */
    private final Map<TokenPreferencePair, double[]> referenceLogProbs = new WeakHashMap<>();

    /**
     * @param reference the frozen model of GRPO's KL term and DPO's margins (usually
     *                  {@link ReferenceModel#frozenCopyOf} the policy); null when neither is used.
     */
    public PolicyTrainer(DeepSeekV3Model policy, ReferenceModel reference, TrainOptions options) {
        this.policy = policy;
        this.reference = reference;
        this.options = options;
        this.trainer = new Trainer(policy, options);
    }

    public DeepSeekV3Model policy() {
        return policy;
    }

    /** Optimizer steps taken so far. */
    public long steps() {
        return trainer.steps();
    }

    /** What a checkpoint must hold to continue this run exactly. */
    public TrainingState state() {
        return trainer.state();
    }

    /** Continues from a saved state. */
    public void restore(TrainingState state) {
        trainer.restore(state);
    }

    public PolicyStep<Grpo.Metrics> step(Grpo grpo, List<Rollout> rollouts) {
        long start = System.nanoTime();
        Pass<Grpo.Metrics> pass = grpo(grpo, rollouts);
        return new PolicyStep<>(trainer.applyGradients(pass.loss, pass.tokens, start), pass.metrics);
    }

    public PolicyStep<Dpo.Metrics> step(Dpo dpo, List<TokenPreferencePair> pairs) {
        long start = System.nanoTime();
        Pass<Dpo.Metrics> pass = dpo(dpo, pairs);
        return new PolicyStep<>(trainer.applyGradients(pass.loss, pass.tokens, start), pass.metrics);
    }

    public PolicyStep<Rft.Metrics> step(Rft rft, List<Rollout> rollouts) {
        long start = System.nanoTime();
        Pass<Rft.Metrics> pass = rft(rft, rollouts);
        return new PolicyStep<>(trainer.applyGradients(pass.loss, pass.tokens, start), pass.metrics);
    }

    /**
     * Puts the gradient of the GRPO objective on {@code rollouts} in {@code policy().grads()} and measures the
     * objective, without updating anything: what {@link #step(Grpo, List)} applies, before clipping.
     */
    public Grpo.Metrics gradients(Grpo grpo, List<Rollout> rollouts) {
        return grpo(grpo, rollouts).metrics;
    }

    /** As {@link #gradients(Grpo, List)}, for DPO. */
    public Dpo.Metrics gradients(Dpo dpo, List<TokenPreferencePair> pairs) {
        return dpo(dpo, pairs).metrics;
    }

    /** As {@link #gradients(Grpo, List)}, for RFT. */
    public Rft.Metrics gradients(Rft rft, List<Rollout> rollouts) {
        return rft(rft, rollouts).metrics;
    }

    /**
     * The policy's current log-prob of each completion token (one array per completion), packed as a step
     * packs them. Taken as the rollouts' sampling log-probs, it makes the first GRPO update exactly on-policy
     * (ratio 1), and fixes pi_old for several updates on one batch.
     */
    public List<float[]> logProbs(List<? extends TrainingCompletion> completions) {
        return logProbs(completions, 1);
    }

    /**
     * As {@link #logProbs(List)}, of softmax(logits / temperature): GRPO's pi_old for rollouts sampled at that
     * temperature ({@link Grpo#temperature()}).
     */
    public List<float[]> logProbs(List<? extends TrainingCompletion> completions, double temperature) {
        List<float[]> out = new ArrayList<>(completions.size());
        for (List<? extends TrainingCompletion> rows : chunks(completions, options.batchSize())) {
            PackedBatch p = PackedBatch.pack(rows, options.seqLen());
            float[] logp = policy.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen(), (float) temperature);
            for (int b = 0; b < p.batchSize(); b++) {
                float[] lp = new float[p.length()[b]];
                for (int j = 0; j < lp.length; j++) lp[j] = logp[p.position(b, j)];
                out.add(lp);
            }
        }
        return out;
    }

    /** A step's gradients are in; what it measured, the surrogate loss summed over micro-batches, tokens seen. */
    private record Pass<M>(M metrics, Loss loss, int tokens) {}

    private Pass<Grpo.Metrics> grpo(Grpo grpo, List<Rollout> rollouts) {
        boolean kl = grpo.beta() > 0;
        if (kl && reference == null) throw new IllegalStateException("GRPO with beta " + grpo.beta() + " needs a reference model");
        List<Rollout> kept = new ArrayList<>(rollouts.size());
        int zeroAdvantage = 0;
        for (Rollout r : rollouts) {
            if (r.abstained()) continue;
            kept.add(r);
            if (r.advantage() == 0) zeroAdvantage++;
        }
        int abstained = rollouts.size() - kept.size();
        if (kept.isEmpty()) throw new IllegalArgumentException("GRPO step has no rollout to train on: all "
                + rollouts.size() + " abstained (advantage NaN)");
        List<List<Rollout>> micro = chunks(kept, options.batchSize());
        List<PackedBatch> packed = pack(micro);
        float normalizer = grpo.normalizer(kept, packed);
        float t = (float) grpo.temperature();
        policy.zeroGrads();
        Grpo.Tally tally = new Grpo.Tally();
        LossSum loss = new LossSum();
        for (int i = 0; i < packed.size(); i++) {
            PackedBatch p = packed.get(i);
            float[] ref = kl ? reference.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen(), t) : null;
            ForwardPass f = policy.forward(p.batch(normalizer), t);
            float[] weights = new float[p.tokens().length];
            grpo.weigh(p, micro.get(i), f.logProbs(), ref, normalizer, weights, tally);
            loss.add(policy.backward(weights, normalizer));
        }
        return new Pass<>(grpo.metrics(tally, kept.size(), abstained, zeroAdvantage), loss.sum(), tally.tokens);
    }

    private Pass<Dpo.Metrics> dpo(Dpo dpo, List<TokenPreferencePair> pairs) {
        if (reference == null) throw new IllegalStateException("DPO needs a reference model");
        if (pairs.isEmpty()) throw new IllegalArgumentException("DPO step has no preference pair");
        float normalizer = pairs.size();
        policy.zeroGrads();
        Dpo.Tally tally = new Dpo.Tally();
        LossSum loss = new LossSum();
        int tokens = 0;
        for (List<TokenPreferencePair> group : chunks(pairs, Math.max(1, options.batchSize() / 2))) {
            List<TrainingCompletion> rows = new ArrayList<>(2 * group.size());
            for (TokenPreferencePair pair : group) rows.add(pair.chosenSide());
            for (TokenPreferencePair pair : group) rows.add(pair.rejectedSide());
            PackedBatch p = PackedBatch.pack(rows, options.seqLen());
            double[][] ref = referenceLogProbs(group, p);
            ForwardPass f = policy.forward(p.batch(normalizer));
            float[] weights = new float[p.tokens().length];
            dpo.weigh(p, f.logProbs(), ref, weights, tally);
            loss.add(policy.backward(weights, normalizer));
            for (int b = 0; b < p.batchSize(); b++) tokens += p.length()[b];
        }
        return new Pass<>(dpo.metrics(tally), loss.sum(), tokens);
    }

    /** The reference's sequence log-probs of each pair of {@code group}, run only for pairs not seen before. */
    private double[][] referenceLogProbs(List<TokenPreferencePair> group, PackedBatch p) {
        int k = group.size();
        double[][] out = new double[k][];
        boolean missing = false;
        for (int i = 0; i < k; i++) missing |= (out[i] = referenceLogProbs.get(group.get(i))) == null;
        if (!missing) return out;
        // one forward over the packed micro-batch: its pairs are mostly new or mostly cached together
        float[] logp = reference.logProbs(p.tokens(), p.targets(), p.batchSize(), p.seqLen());
        for (int i = 0; i < k; i++) {
            if (out[i] != null) continue;
            out[i] = new double[] {p.completionLogProb(i, logp), p.completionLogProb(k + i, logp)};
            referenceLogProbs.put(group.get(i), out[i]);
        }
        return out;
    }

    private Pass<Rft.Metrics> rft(Rft rft, List<Rollout> rollouts) {
        List<Rollout> kept = new ArrayList<>(rollouts.size());
        int abstained = 0;
        for (Rollout r : rollouts) {
            if (Double.isNaN(r.reward())) abstained++;
            else if (rft.keeps(r)) kept.add(r);
        }
        int below = rollouts.size() - kept.size() - abstained;
        if (kept.isEmpty()) throw new IllegalArgumentException("RFT step has no rollout to train on: " + below
                + " below the threshold " + rft.threshold() + ", " + abstained + " abstained");
        List<PackedBatch> packed = pack(chunks(kept, options.batchSize()));
        int tokens = 0;
        for (PackedBatch p : packed) for (int b = 0; b < p.batchSize(); b++) tokens += p.trainedTokens(b);
        if (tokens == 0) throw new IllegalArgumentException("RFT step has no trained token: every completion token of the "
                + kept.size() + " kept rollouts is masked");
        policy.zeroGrads();
        LossSum loss = new LossSum();
        double nll = 0;
        for (PackedBatch p : packed) {
            ForwardPass f = policy.forward(p.batch(tokens));
            for (int b = 0; b < p.batchSize(); b++) nll -= p.completionLogProb(b, f.logProbs());
            loss.add(policy.backward());
        }
        return new Pass<>(new Rft.Metrics(nll / tokens, kept.size(), below, abstained, tokens), loss.sum(), tokens);
    }

    private List<PackedBatch> pack(List<? extends List<? extends TrainingCompletion>> micro) {
        List<PackedBatch> out = new ArrayList<>(micro.size());
        for (List<? extends TrainingCompletion> rows : micro) out.add(PackedBatch.pack(rows, options.seqLen()));
        return out;
    }

    private static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) out.add(items.subList(i, Math.min(items.size(), i + size)));
        return out;
    }

    /** Loss parts summed over micro-batches: each already divides by the whole step's normalizer. */
    private static final class LossSum {
        private double total, crossEntropy, mtp, balance;

        void add(Loss l) {
            total += l.total();
            crossEntropy += l.crossEntropy();
            mtp += l.mtp();
            balance += l.balance();
        }

        Loss sum() {
            return new Loss((float) total, (float) crossEntropy, (float) mtp, (float) balance);
        }
    }
}
