package dev.consilium.runtime.loop;

import dev.consilium.rewards.calibration.GoldItem;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * How a judge prompt's built-in model is fine-tuned on labelled items, for {@link JudgeRefresh}: registered by the
 * name of the judge prompt whose reading it teaches ({@link PluginRegistry#trainableJudge}), since the target a judge
 * learns to write (its reading, then {@code Score: N}) belongs to its prompt. The arithmetic demo's is
 * {@code judge train}'s supervised stage.
 */
@FunctionalInterface
public interface TrainableJudge {

    /** Optimizer steps, peak learning rate and sequences per step of one refresh. */
    record Options(long steps, double lr, int batchSize) {
        public Options {
            if (steps < 1) throw new IllegalArgumentException("\"judge_refresh.steps\" must be >= 1, was " + steps);
            if (!(lr > 0)) throw new IllegalArgumentException("\"judge_refresh.lr\" must be > 0, was " + lr);
            if (batchSize < 1) throw new IllegalArgumentException("\"judge_refresh.batch_size\" must be >= 1, was " + batchSize);
        }
    }

    /** What a refresh trained on: items turned into examples, and those left out because their reading cannot give their label. */
    record Trained(int examples, int skipped) {}

    /**
     * Fine-tunes the judge checkpoint in {@code from} on {@code items} (pointwise, labelled 1 right or 0 wrong, each
     * with its reference) and saves the result to {@code to}, atomically; deterministic for a seed and a thread count.
     */
    Trained train(Path from, Path to, List<GoldItem> items, Options options, long seed, PrintStream log);
}
