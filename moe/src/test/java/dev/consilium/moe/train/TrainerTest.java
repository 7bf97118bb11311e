package dev.consilium.moe.train;

import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.model.DeepSeekV3Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    /** A 2-layer MoE model small enough to train for a few steps in well under a second. */
    static final ModelConfig CONFIG = ModelConfig.fromJson(ModelConfig.named("tiny").toJson()
            .replace("\"vocab_size\" : 512", "\"vocab_size\" : 32")
            .replace("\"hidden_size\" : 128", "\"hidden_size\" : 32")
            .replace("\"num_hidden_layers\" : 4", "\"num_hidden_layers\" : 2"));

    /** A stream with structure to learn: repeating ramps 0..15 with noise tokens between them. */
    static TokenDataset data() {
        SplittableRandom rng = new SplittableRandom(5);
        int[] t = new int[4000];
        for (int i = 0; i < t.length; i++) t[i] = i % 20 < 16 ? i % 20 : 16 + rng.nextInt(16);
        return TokenDataset.of(t);
    }

    static TrainOptions options(long steps) {
        return TrainOptions.builder().steps(steps).batchSize(4).seqLen(32).lr(1e-2f).seed(3).build();
    }

    @Test
    void trainingDrivesHeldOutLossWellBelowTheUnigramBaseline() {
        TokenDataset[] split = data().split(0.1);
        Trainer trainer = new Trainer(new DeepSeekV3Model(CONFIG, 1), options(150));
        double before = trainer.evaluate(split[1], 16);
        for (int i = 0; i < 150; i++) trainer.step(split[0]);
        double after = trainer.evaluate(split[1], 16);
        double unigram = split[0].unigramCrossEntropy(split[1], CONFIG.vocabSize());
        assertTrue(after < 0.7 * unigram, "held-out " + after + " vs unigram " + unigram + " (before " + before + ")");
    }

    @Test
    void evaluatingAnEmptyHeldOutShareIsRefusedByNameNotDividedByZero() {
        TokenDataset[] split = data().split(0);
        Trainer trainer = new Trainer(new DeepSeekV3Model(CONFIG, 1), options(1));

        var e = assertThrows(IllegalArgumentException.class, () -> trainer.evaluate(split[1], 64));

        assertEquals("nothing to evaluate: 0 held-out tokens and at most 64 windows, where one window takes 33 tokens", e.getMessage());
    }

    @Test
    void aRunResumedFromItsCheckpointEndsBitIdenticalToAnUninterruptedOne(@TempDir Path dir) {
        TokenDataset data = data();
        Trainer straight = new Trainer(new DeepSeekV3Model(CONFIG, 1), options(10));
        for (int i = 0; i < 10; i++) straight.step(data);

        Trainer first = new Trainer(new DeepSeekV3Model(CONFIG, 1), options(10));
        for (int i = 0; i < 4; i++) first.step(data);
        ModelCheckpoint.save(dir.resolve("ckpt"), first.model(), null, first.state());

        ModelCheckpoint loaded = ModelCheckpoint.load(dir.resolve("ckpt"));
        Trainer resumed = new Trainer(loaded.model(), options(10));
        resumed.restore(loaded.trainingState());
        while (resumed.steps() < 10) resumed.step(data);

        assertArrayEquals(straight.model().params(), resumed.model().params());
        assertArrayEquals(straight.model().bufferData(), resumed.model().bufferData());
    }

    @Test
    void gradientAccumulationOfTwoHalvesEqualsOneFullBatchWithSgd() {
        TokenDataset data = data();
        TrainOptions.Builder sgd = TrainOptions.builder().optimizer(TrainOptions.Optimizer.SGD).steps(1).lr(0.1f)
                .warmupSteps(0).minLrRatio(1).clipNorm(0).biasUpdateSpeed(0).sequential(true).seqLen(32);
        Trainer full = new Trainer(new DeepSeekV3Model(CONFIG, 1), sgd.batchSize(4).gradAccumulation(1).build());
        Trainer halves = new Trainer(new DeepSeekV3Model(CONFIG, 1), sgd.batchSize(2).gradAccumulation(2).build());
        full.step(data);
        halves.step(data);
        float[] a = full.model().params(), b = halves.model().params();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-6f, "param " + i);
    }
}
