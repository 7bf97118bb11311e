package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.ExpertLoad;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.PreTokenizer;
import dev.consilium.moe.train.StepResult;
import dev.consilium.moe.train.TokenDataset;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.Trainer;
import dev.consilium.runtime.datasets.ArithmeticDataset;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.eval.ExactMatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The embedded demo, offline and without keys. Today it runs the stages of the self-improvement loop that
 * exist: the built-in MoE model learning arithmetic from shipped data, measured on held-out problems.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The embedded demo: offline, no API key.",
                "Trains the built-in DeepSeek-V3-style MoE (config 'tiny') from scratch on datasets/arithmetic",
                "and measures held-out exact-match accuracy before and after. The agents, the LLM judge and the",
                "reward-driven rounds of the self-improvement loop are not built yet; the demo says so."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "datasets/arithmetic", description = "Task folder (default: ${DEFAULT-VALUE}).")
    Path data;
    @Option(names = "--out", defaultValue = "runs/demo", description = "Run folder (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--steps", defaultValue = "2400", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--seed", defaultValue = "1", description = "Seed for weights and batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintStream o = System.out;
        long started = System.nanoTime();
        o.println("Consilium demo: the built-in MoE model learns arithmetic, measured on held-out problems.");
        o.println("(Agents, the LLM judge and reward-driven training rounds are not built yet: this demo runs");
        o.println(" the model-training stage of the self-improvement loop only.)");
        o.println();

        List<Problem> heldout = ArithmeticDataset.read(data.resolve("heldout.jsonl"));
        Path corpus = data.resolve("pretrain.jsonl");
        ModelConfig config = ModelConfig.named("tiny");
        BpeTokenizer tokenizer = BpeTokenizer.trainer().vocabSize(config.vocabSize())
                .preTokenizer(PreTokenizer.singleDigits()).train(TokenDataset.texts(corpus));
        TokenDataset[] split = TokenDataset.read(corpus, tokenizer).split(0.05);
        DeepSeekV3Model model = new DeepSeekV3Model(config, seed);
        o.printf(Locale.ROOT, "1. data: %s (%,d training tokens), %d held-out problems%n", corpus, split[0].size(), heldout.size());
        o.printf(Locale.ROOT, "2. model: DeepSeek-V3 architecture, %s, %,d parameters%n",
                config.summary(), model.parameterCount());

        ExactMatch.Result before = ExactMatch.evaluate(model, tokenizer, heldout);
        o.printf("3. held-out exact match before training: %s%n", before);

        TrainOptions options = TrainOptions.builder().steps(steps).batchSize(16).seqLen(64).lr(lr)
                .seed(seed).build();
        Trainer trainer = new Trainer(model, options);
        ProgressBar bar = new ProgressBar(o, "4. training", steps);
        StepResult last = null;
        long tokens = 0, trainStart = System.nanoTime();
        while (trainer.steps() < steps) {
            last = trainer.step(split[0]);
            tokens += last.tokens();
            bar.update(last.step(), String.format(Locale.ROOT, "loss %.3f | %,.0f tok/s | expert load max/mean %s",
                    last.loss().crossEntropy(), tokens / ((System.nanoTime() - trainStart) / 1e9),
                    ExpertLoad.summary(last.expertLoad())));
        }
        double heldoutLoss = trainer.evaluate(split[1], 64);
        double unigram = split[0].unigramCrossEntropy(split[1], config.vocabSize());

        ExactMatch.Result after = ExactMatch.evaluate(model, tokenizer, heldout);
        Path policy = out.resolve("policy");
        ModelCheckpoint.save(policy, model, tokenizer, trainer.state());
        boolean identical = sameLogits(model, ModelCheckpoint.load(policy).model(), tokenizer.encodeOrdinary(heldout.get(0).question()));

        o.println();
        o.printf("held-out exact match (%d problems): before %s, after %s%n", heldout.size(), before, after);
        o.printf(Locale.ROOT, "held-out loss: %.3f nats/token (unigram baseline %.3f)%n", heldoutLoss, unigram);
        o.printf("expert load max/mean per MoE layer, last step: %s%n", ExpertLoad.summary(last.expertLoad()));
        o.printf("checkpoint: %s (reloaded, %s)%n", policy, identical ? "identical logits" : "LOGITS DIFFER");
        o.printf(Locale.ROOT, "took %.0f s on %d threads (%s)%n", (System.nanoTime() - started) / 1e9,
                Parallel.threads(), Machine.cpuName());
        return identical ? 0 : 1;
    }

    private static boolean sameLogits(DeepSeekV3Model a, DeepSeekV3Model b, int[] prompt) {
        return Arrays.equals(a.logits(prompt, 1, prompt.length), b.logits(prompt, 1, prompt.length));
    }
}
