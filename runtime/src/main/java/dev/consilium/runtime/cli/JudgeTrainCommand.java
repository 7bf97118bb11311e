package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.Checkpoint;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.calibration.GoldSet;
import dev.consilium.runtime.datasets.ArithmeticDataset;
import dev.consilium.runtime.datasets.JudgeCases;
import dev.consilium.runtime.verifier.JudgeExample;
import dev.consilium.runtime.verifier.JudgeRl;
import dev.consilium.runtime.verifier.JudgeTrainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code consilium judge train}: fits a built-in model as the arithmetic judge, a verifier that reads before it scores. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a built-in model as a generative judge: it copies the final answer and the reference digit by "
                + "digit, compares them position by position, then writes Score: N (verdict tokens weighted in the loss).",
                "Then rounds of mining, where it judges fresh items and trains again on its own mistakes, and optionally (--rl-rounds) "
                        + "RL rewarding each sampled reply whose verdict is right.",
                "Items come from the arithmetic judge-case generator (never a held-out or gold question), plus --data's."})
final class JudgeTrainCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true)
    Start start = new Start();

    static final class Start {
        @Option(names = "--config", description = "Fresh model: a shipped config (small, tiny) or a config.json path (default: tiny).")
        String config;
        @Option(names = "--init", description = "Start from this checkpoint's weights and tokenizer.")
        Path init;
    }

    @Option(names = "--tokenizer", description = "tokenizer.json for a fresh model (default: models/demo-judge's).")
    Path tokenizer;
    @Option(names = "--out", defaultValue = "runs/judge", description = "Checkpoint directory (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--items", defaultValue = "20000", description = "Generated training items (default: ${DEFAULT-VALUE}).")
    int items;
    @Option(names = "--data", description = "Also train on these gold-labelled pointwise items (datasets/judge/ JSONL format); "
            + "each label must be what its final answer against its reference gives.")
    Path data;
    @Option(names = "--heldout", defaultValue = "datasets/arithmetic/heldout.jsonl", description = "Questions never to train on (default: ${DEFAULT-VALUE}).")
    Path heldout;
    @Option(names = "--gold", defaultValue = "datasets/judge/arithmetic.jsonl", description = "Gold set whose questions are never trained on (default: ${DEFAULT-VALUE}).")
    Path gold;
    @Option(names = "--steps", defaultValue = "2000", description = "Supervised steps (default: ${DEFAULT-VALUE}).")
    long steps;
    @Option(names = "--batch-size", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seqLen;
    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate; mining rounds use a third (default: ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--seed", defaultValue = "1", description = "Seed for items, weights and batches (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--verdict-weight", defaultValue = "4", description = "Loss weight of a verdict token (each comparison mark, the score) against 1 (default: ${DEFAULT-VALUE}).")
    float verdictWeight;
    @Option(names = "--mine-rounds", defaultValue = "1", description = "Rounds of hard-negative mining (default: ${DEFAULT-VALUE}).")
    int mineRounds;
    @Option(names = "--mine-items", defaultValue = "600", description = "Fresh items the judge judges each mining round (default: ${DEFAULT-VALUE}).")
    int mineItems;
    @Option(names = "--mine-steps", defaultValue = "300", description = "Steps each mining round trains (default: ${DEFAULT-VALUE}).")
    long mineSteps;
    @Option(names = "--mine-repeat", defaultValue = "4", description = "Times each mistake is repeated in a mining round's data (default: ${DEFAULT-VALUE}).")
    int mineRepeat;

    @Option(names = "--mine-replay", defaultValue = "0", description = "Fresh items replayed beside the mistakes, at most --mine-items; 0: as many as the repeated mistakes (default: ${DEFAULT-VALUE}).")
    int mineReplay;

    @Option(names = "--rl-rounds", defaultValue = "0", description = "Rounds of the RL stage after the supervised one and mining: GRPO "
            + "rewarding a reply whose verdict is right, one step a round (default: ${DEFAULT-VALUE}, none).")
    int rlRounds;
    @Option(names = "--rl-items", defaultValue = "64", description = "Fresh items each RL round (default: ${DEFAULT-VALUE}).")
    int rlItems;
    @Option(names = "--rl-samples", defaultValue = "4", description = "Replies sampled per item, the group its advantages compare (default: ${DEFAULT-VALUE}).")
    int rlSamples;
    @Option(names = "--rl-lr", defaultValue = "1e-4", description = "RL learning rate (default: ${DEFAULT-VALUE}).")
    float rlLr;
    @Option(names = "--rl-temperature", defaultValue = "1.0", description = "Sampling temperature of the RL replies (default: ${DEFAULT-VALUE}).")
    double rlTemperature;

    @Override
    public Integer call() {
        PrintStream o = System.out;
        ModelCheckpoint base = start.init == null ? null : ModelCheckpoint.load(start.init);
        DeepSeekV3Model model = base != null ? base.model()
                : new DeepSeekV3Model(ModelConfig.named(start.config == null ? "tiny" : start.config), seed);
        BpeTokenizer tok = base != null && base.tokenizer() != null ? base.tokenizer()
                : BpeTokenizer.load(tokenizer != null ? tokenizer : Path.of("models/demo-judge/tokenizer.json"));
        Set<String> exclude = new HashSet<>();
        for (ArithmeticDataset.Problem p : ArithmeticDataset.read(heldout)) exclude.add(p.question());
        if (gold.toFile().exists()) for (GoldItem g : GoldSet.read(gold)) exclude.add(g.task());
        List<JudgeExample> examples = generated(seed, items, exclude);
        if (data != null) for (GoldItem g : GoldSet.read(data)) if (!g.isPairwise()) examples.add(JudgeExample.of(g));
        o.printf(Locale.ROOT, "model: %s, %,d parameters; %d threads; %d questions excluded%n", model.config().summary(),
                model.parameterCount(), Parallel.threads(), exclude.size());
        JudgeTrainer.Options options = new JudgeTrainer.Options(steps, batchSize, seqLen, lr, seed, verdictWeight,
                mineRounds, mineItems, mineSteps, mineRepeat, mineReplay);
        JudgeTrainer trainer = new JudgeTrainer(model, tok, options, o);
        // each mining round draws from its own seed, apart from the supervised items' and from each other's
        trainer.train(examples, round -> generated(seed * 1_000_003L + round, mineItems, exclude));
        JudgeRl.Options rl = new JudgeRl.Options(rlRounds, rlItems, rlSamples, rlLr, rlTemperature, seed);
        // its items from seeds of their own, apart from the mining rounds' (2r, 2r + 1) and the final check's (999)
        new JudgeRl(model, tok, rl, o).train(round -> generated(seed * 1_000_003L + 1_000 + round, rlItems, exclude));
        ModelCheckpoint.save(out, model, tok, null);
        JudgeTrainer.Pass last = trainer.judge(generated(seed * 1_000_003L + 999, mineItems, exclude));
        o.printf(Locale.ROOT, "fresh items after training: %s%n", last.summary());
        o.printf("saved %s (%s, %s)%n", out, Checkpoint.WEIGHTS, Checkpoint.TOKENIZER);
        return 0;
    }

    private static List<JudgeExample> generated(long seed, int count, Set<String> exclude) {
        Random rng = new Random(seed);
        List<JudgeExample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(JudgeExample.of(JudgeCases.sample(rng, exclude)));
        return out;
    }
}
