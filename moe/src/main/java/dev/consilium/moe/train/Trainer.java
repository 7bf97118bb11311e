package dev.consilium.moe.train;

import dev.consilium.moe.checkpoint.TrainingState;
import dev.consilium.moe.model.Batch;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.ExpertLoad;
import dev.consilium.moe.model.Loss;
import dev.consilium.moe.optim.AdamW;
import dev.consilium.moe.optim.Gradients;
import dev.consilium.moe.optim.LrSchedule;
import dev.consilium.moe.optim.Optimizer;
import dev.consilium.moe.optim.Sgd;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Language-model training of the built-in model: forward and backward on each micro-batch, average,
 * clip, an optimizer step, then the auxiliary-loss-free routing-bias update. Batch contents derive from
 * (seed, step), so a run resumed from a checkpoint sees exactly the batches the uninterrupted run would.
 */
public final class Trainer {
    private final DeepSeekV3Model model;
    private final TrainOptions options;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final int[] inputs, targets;
    private final float[] weights;
    private long step;

    public Trainer(DeepSeekV3Model model, TrainOptions options) {
        this.model = model;
        this.options = options;
        this.optimizer = switch (options.optimizer()) {
            case ADAMW -> AdamW.builder(model.parameters()).weightDecay(options.weightDecay()).build();
            case SGD -> new Sgd(model.parameters());
        };
        this.schedule = new LrSchedule(options.lr(), options.warmupSteps(), options.steps(), options.minLrRatio());
        int n = options.batchSize() * options.seqLen();
        this.inputs = new int[n];
        this.targets = new int[n];
        this.weights = new float[n];
        model.setLossWeights(options.lossWeights());
    }

    public DeepSeekV3Model model() {
        return model;
    }

    /** Optimizer steps taken so far. */
    public long steps() {
        return step;
    }

    /** One optimizer step over {@code gradAccumulation} micro-batches drawn from {@code data}. */
    public StepResult step(TokenDataset data) {
        long start = System.nanoTime();
        int B = options.batchSize(), T = options.seqLen(), micro = options.gradAccumulation();
        model.zeroGrads();
        float total = 0, ce = 0, mtp = 0, balance = 0;
        for (int m = 0; m < micro; m++) {
            long index = step * micro + m;
            if (options.sequential()) {
                data.sequential(index, B, T, inputs, targets, weights);
            } else {
                data.sample(new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + index), B, T, inputs, targets, weights);
            }
            model.forward(Batch.of(inputs, targets, weights, B, T));
            Loss l = model.backward();
            total += l.total();
            ce += l.crossEntropy();
            mtp += l.mtp();
            balance += l.balance();
        }
        if (micro > 1) Gradients.average(model.grads(), micro);
        return applyGradients(new Loss(total / micro, ce / micro, mtp / micro, balance / micro),
                options.tokensPerStep(), start);
    }

    /**
     * Finishes a step whose gradients the caller has put in {@code model().grads()}: global-norm clipping,
     * the optimizer step at the scheduled learning rate, the routing-bias update. Objectives that build their
     * own batches ({@code moe.train.policy}) end each step here, so every step of a run shares one optimizer,
     * schedule and checkpoint state.
     *
     * @param loss       what the step reports as its loss.
     * @param tokens     tokens the step trained on.
     * @param startNanos {@link System#nanoTime()} when the step began.
     */
    public StepResult applyGradients(Loss loss, int tokens, long startNanos) {
        double norm = options.clipNorm() > 0 ? Gradients.clipGlobalNorm(model.grads(), options.clipNorm())
                : Gradients.globalNorm(model.grads());
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("gradient norm is " + norm + " at step " + (step + 1)
                    + "; the run diverged: lower --lr or raise --warmup");
        }
        List<ExpertLoad> load = model.expertLoad();
        float lr = schedule.at(step);
        optimizer.step(model.params(), model.grads(), lr);
        model.updateRoutingBias(options.biasUpdateSpeed());
        step++;
        return new StepResult(step, loss, norm, lr, tokens, (System.nanoTime() - startNanos) / 1e9, load);
    }

    /**
     * Mean next-token cross-entropy (nats per target token) over the first {@code maxWindows} windows of
     * {@code data}, taken in order; no gradients, no MTP. {@code data} must hold one window (seq_len + 1 tokens).
     */
    public double evaluate(TokenDataset data, int maxWindows) {
        int T = options.seqLen();
        if (data.windows(T) < 1 || maxWindows < 1) {
            throw new IllegalArgumentException("nothing to evaluate: " + data.size() + " held-out tokens and at most "
                    + maxWindows + " windows, where one window takes " + (T + 1) + " tokens");
        }
        int windows = Math.min(maxWindows, data.windows(T));
        int B = Math.min(options.batchSize(), windows);
        int batches = Math.max(1, windows / B);
        int[] in = new int[B * T], tg = new int[B * T];
        float[] w = new float[B * T];
        double nll = 0, targets = 0;
        for (int b = 0; b < batches; b++) {
            data.sequential(b, B, T, in, tg, w);
            float[] logp = model.logProbs(in, tg, B, T);
            for (int n = 0; n < logp.length; n++) {
                nll -= w[n] * logp[n];
                targets += w[n];
            }
        }
        return nll / Math.max(1, targets);
    }

    /** What a checkpoint must hold to continue this run exactly. */
    public TrainingState state() {
        return new TrainingState(step, options.seed(), new long[0], schedule, step, optimizer.exportState());
    }

    /** Continues from a saved state: the next step is {@code state.step() + 1}. */
    public void restore(TrainingState state) {
        if (state.optimizer() == null) throw new IllegalArgumentException("training state has no optimizer state");
        optimizer.importState(state.optimizer());
        step = state.step();
    }
}
