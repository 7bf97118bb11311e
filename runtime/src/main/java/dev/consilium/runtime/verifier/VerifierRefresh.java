package dev.consilium.runtime.verifier;

import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.runtime.loop.TrainableJudge;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic judge's refresh during a run: {@code judge train}'s supervised stage ({@link JudgeTrainer}, the
 * same target of reading then {@code Score: N}, verdict tokens weighing {@link #VERDICT_WEIGHT} times a reading
 * token) on the refresh's items, without mining (a refresh has its items already, and little time between rounds).
 * An item whose label is not what its final answer against its reference reads as (an answer check more lenient than
 * the judge's digit comparison) is left out and counted, never trained on with a reading that contradicts its label.
 */
public final class VerifierRefresh implements TrainableJudge {
    /** {@code judge train}'s default. */
    static final float VERDICT_WEIGHT = 4f;
    private static final int SEQ_LEN = 256;

    @Override
    public Trained train(Path from, Path to, List<GoldItem> items, Options options, long seed, PrintStream log) {
        ModelCheckpoint c = ModelCheckpoint.load(from);
        List<JudgeExample> examples = new ArrayList<>();
        int skipped = 0;
        for (GoldItem g : items) {
            try {
                examples.add(JudgeExample.of(g));
            } catch (IllegalArgumentException readsOtherwise) {
                skipped++;
            }
        }
        if (!examples.isEmpty()) {
            new JudgeTrainer(c.model(), c.tokenizer(), new JudgeTrainer.Options(options.steps(), options.batchSize(), SEQ_LEN,
                    (float) options.lr(), seed, VERDICT_WEIGHT, 0, 0, 0, 1, 0), log).train(examples, round -> List.of());
        }
        ModelCheckpoint.save(to, c.model(), c.tokenizer(), null);
        return new Trained(examples.size(), skipped);
    }
}
