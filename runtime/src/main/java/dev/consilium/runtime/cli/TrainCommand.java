package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.Checkpoint;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.ExpertLoad;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.PreTokenizer;
import dev.consilium.moe.train.StepResult;
import dev.consilium.moe.train.TokenDataset;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.Trainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Pretraining or SFT of the built-in model on text or token data. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the built-in MoE model on text or JSONL ({\"text\": ...}, {\"tokens\": [...]} or {\"messages\": [...]}).",
                "Fresh from --config, or continuing from --init CHECKPOINT; --resume continues --out's own run.",
                "Exactly N steps of plain SGD in data order, for cross-checking against another implementation:",
                "  --init DIR --optimizer sgd --sequential --steps N --clip 0 --warmup 0 --min-lr-ratio 1",
                "  --bias-update 0 --mtp-weight 0 --balance-weight 0 --eval-fraction 0 (all the data, none held out)"})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Training data: .jsonl, or any other file as plain text.")
    Path data;

    @ArgGroup(exclusive = true)
    Start start = new Start();

    static final class Start {
        @Option(names = "--config", description = "Fresh model: a shipped config (small, tiny) or a config.json path (default: tiny).")
        String config;
        @Option(names = "--init", description = "Start from this checkpoint's weights and tokenizer (fresh optimizer).")
        Path init;
        @Option(names = "--resume", description = "Continue the run saved in --out, optimizer and step included.")
        boolean resume;
    }

    @Option(names = "--tokenizer", description = "tokenizer.json to use (default: the checkpoint's, or one trained on --data).")
    Path tokenizer;
    @Option(names = "--out", defaultValue = "runs/model", description = "Checkpoint directory (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--optimizer", defaultValue = "adamw", description = "adamw or sgd (default: ${DEFAULT-VALUE}).")
    String optimizer;
    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--min-lr-ratio", defaultValue = "0.1", description = "Cosine decay floor as a fraction of --lr (default: ${DEFAULT-VALUE}).")
    float minLrRatio;
    @Option(names = "--warmup", description = "Linear warmup steps (default: 5%% of --steps).")
    Long warmup;
    @Option(names = "--steps", defaultValue = "1000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    long steps;
    @Option(names = "--batch-size", defaultValue = "8", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seqLen;
    @Option(names = "--grad-accum", defaultValue = "1", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum;
    @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clip, 0 for none (default: ${DEFAULT-VALUE}).")
    float clip;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW decoupled weight decay (default: ${DEFAULT-VALUE}).")
    float weightDecay;
    @Option(names = "--bias-update", defaultValue = "1e-2", description = "Routing-bias update speed gamma, 0 disables balancing (default: ${DEFAULT-VALUE}).")
    float biasUpdate;
    @Option(names = "--mtp-weight", defaultValue = "0.3", description = "Weight of the multi-token-prediction loss (default: ${DEFAULT-VALUE}).")
    float mtpWeight;
    @Option(names = "--balance-weight", defaultValue = "1e-4", description = "Weight of the sequence-wise balance loss (default: ${DEFAULT-VALUE}).")
    float balanceWeight;
    @Option(names = "--seed", defaultValue = "1", description = "Seed for weights and batches (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--loss-on", defaultValue = "assistant", description = "Targets of a chat line: assistant (its assistant turns) or all (prompt too) (default: ${DEFAULT-VALUE}).")
    String lossOn;
    @Option(names = "--sequential", description = "Take batches in data order instead of at random offsets.")
    boolean sequential;
    @Option(names = "--eval-fraction", defaultValue = "0.05", description = "Share of the data held out for evaluation (default: ${DEFAULT-VALUE}).")
    double evalFraction;
    @Option(names = "--eval-every", defaultValue = "100", description = "Evaluate held-out loss every N steps (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--save-every", defaultValue = "0", description = "Also checkpoint every N steps; 0 saves at the end only (default: ${DEFAULT-VALUE}).")
    int saveEvery;

    @Override
    public Integer call() {
        PrintStream o = System.out;
        ModelCheckpoint base = start.init != null ? ModelCheckpoint.load(start.init)
                : start.resume ? ModelCheckpoint.load(out) : null;
        DeepSeekV3Model model = base != null ? base.model()
                : new DeepSeekV3Model(ModelConfig.named(start.config == null ? "tiny" : start.config), seed);
        BpeTokenizer tok = tokenizer != null ? BpeTokenizer.load(tokenizer)
                : base != null && base.tokenizer() != null ? base.tokenizer()
                : trainTokenizer(model.config().vocabSize(), o);
        if (tok.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tok.vocabSize() + " ids but the model's vocab_size is "
                    + model.config().vocabSize());
        }
        TokenDataset[] split = TokenDataset.read(data, tok, chatLoss()).split(evalFraction);
        TokenDataset train = split[0], heldout = split[1];
        TrainOptions options = options();
        Trainer trainer = new Trainer(model, options);
        if (start.resume) {
            if (base.trainingState() == null) throw new IllegalArgumentException(out + " holds no training state to resume");
            trainer.restore(base.trainingState());
        }
        double unigram = train.unigramCrossEntropy(heldout, model.config().vocabSize());
        o.printf(Locale.ROOT, "model: %s, %,d parameters; data: %,d train / %,d held-out target tokens; %d threads%n",
                model.config().summary(), model.parameterCount(), train.trainedSize(), heldout.trainedSize(),
                Parallel.threads());
        // --eval-fraction 0 (the cross-check's exact SGD) or a held-out tail shorter than one window: train only
        boolean evaluating = evalEvery > 0 && heldout.windows(options.seqLen()) > 0 && heldout.trainedSize() > 0;
        if (evaluating) {
            o.printf(Locale.ROOT, "held-out baseline (unigram): %.4f nats/token%n", unigram);
        } else if (evalFraction == 0) {
            o.println("no held-out evaluation: --eval-fraction 0 trains on every token");
        } else if (evalEvery > 0) {
            o.printf(Locale.ROOT, "no held-out evaluation: the held-out share (--eval-fraction %s) holds %,d tokens, "
                    + "fewer than one window of %d%n", evalFraction, heldout.size(), options.seqLen() + 1);
        }

        ProgressBar bar = new ProgressBar(o, "train", options.steps());
        long started = System.nanoTime();
        long tokens = 0;
        // Balance is judged over the run's last tenth: one step's counts are too few to tell noise from skew.
        long windowFrom = options.steps() - Math.max(1, options.steps() / 10);
        List<ExpertLoad> window = List.of();
        while (trainer.steps() < options.steps()) {
            StepResult r = trainer.step(train);
            tokens += r.tokens();
            if (r.step() > windowFrom) window = ExpertLoad.sum(window, r.expertLoad());
            double elapsed = (System.nanoTime() - started) / 1e9;
            bar.update(r.step(), String.format(Locale.ROOT, "loss %.4f (mtp %.3f) | grad norm %.2f | %,.0f tok/s | lr %.2e | load max/mean %s",
                    r.loss().crossEntropy(), r.loss().mtp(), r.gradNorm(), tokens / elapsed, r.lr(), ExpertLoad.summary(r.expertLoad())));
            boolean last = r.step() == options.steps();
            if (evaluating && (r.step() % evalEvery == 0 || last)) {
                o.printf(Locale.ROOT, "step %d: held-out loss %.4f (unigram %.4f)%n", r.step(), trainer.evaluate(heldout, 64), unigram);
            }
            if (last || saveEvery > 0 && r.step() % saveEvery == 0) {
                ModelCheckpoint.save(out, model, tok, trainer.state());
            }
        }
        o.printf(Locale.ROOT, "expert load max/mean per MoE layer over steps %d-%d: %s%n", windowFrom + 1,
                options.steps(), ExpertLoad.summary(window));
        o.printf(Locale.ROOT, "saved %s (%s, %s)%n", out, Checkpoint.WEIGHTS, Checkpoint.TOKENIZER);
        return 0;
    }

    private BpeTokenizer trainTokenizer(int vocabSize, PrintStream o) {
        List<String> texts = TokenDataset.texts(data);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(data + " has no text to train a tokenizer on; pass --tokenizer");
        }
        o.printf("training a %d-token byte-level BPE tokenizer on %s (one token per digit)%n", vocabSize, data);
        return BpeTokenizer.trainer().vocabSize(vocabSize).preTokenizer(PreTokenizer.singleDigits()).train(texts);
    }

    private TokenDataset.ChatLoss chatLoss() {
        return switch (lossOn.toLowerCase(Locale.ROOT)) {
            case "assistant" -> TokenDataset.ChatLoss.ASSISTANT;
            case "all" -> TokenDataset.ChatLoss.ALL;
            default -> throw new IllegalArgumentException("--loss-on must be assistant or all, was " + lossOn);
        };
    }

    private TrainOptions options() {
        TrainOptions.Optimizer opt = switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "adamw" -> TrainOptions.Optimizer.ADAMW;
            case "sgd" -> TrainOptions.Optimizer.SGD;
            default -> throw new IllegalArgumentException("--optimizer must be adamw or sgd, was " + optimizer);
        };
        TrainOptions.Builder b = TrainOptions.builder().optimizer(opt).lr(lr).minLrRatio(minLrRatio).steps(steps)
                .batchSize(batchSize).seqLen(seqLen).gradAccumulation(gradAccum).clipNorm(clip)
                .weightDecay(weightDecay).biasUpdateSpeed(biasUpdate)
                .lossWeights(new LossWeights(mtpWeight, balanceWeight)).seed(seed).sequential(sequential);
        if (warmup != null) b.warmupSteps(warmup);
        return b.build();
    }
}
