package dev.consilium.runtime.verifier;

import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.DecodeSequence;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.generate.TokenListener;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.policy.Grpo;
import dev.consilium.moe.train.policy.PolicyTrainer;
import dev.consilium.moe.train.policy.Rollout;
import dev.consilium.runtime.loop.ExperimentJudges;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code judge train}'s optional second stage: reinforcement learning on whether the judge's verdict is right. Each
 * round the judge reads {@code items} fresh examples in its own fenced prompt and writes {@code samples} replies to
 * each at {@code temperature}; a reply earns 1 where its closing {@code Score: N} is the example's label and 0
 * otherwise (no verdict is a wrong one here: this rewards the judge, it does not judge); GRPO then moves the judge
 * toward the replies that beat their group's mean (advantages normalised within each example's replies, a group whose
 * replies all earned the same teaching nothing). Where the supervised stage imitates one correct reading, this one
 * rewards only the verdict, so readings the judge finds on its own that end right are kept too. Deterministic for a
 * seed and a thread count.
 */
public final class JudgeRl {
    private static final Pattern VERDICT = Pattern.compile("Score: (\\d+)\\s*$");

    /** Rounds (one GRPO step each), examples per round, replies per example, learning rate, sampling temperature, seed. */
    public record Options(int rounds, int items, int samples, float lr, double temperature, long seed) {
        public Options {
            if (rounds < 0) throw new IllegalArgumentException("--rl-rounds must be >= 0, was " + rounds);
            if (items < 1) throw new IllegalArgumentException("--rl-items must be >= 1, was " + items);
            if (samples < 2) throw new IllegalArgumentException("--rl-samples must be >= 2 (advantages compare a group), was " + samples);
            if (!(lr > 0)) throw new IllegalArgumentException("--rl-lr must be > 0, was " + lr);
            if (!(temperature > 0)) throw new IllegalArgumentException("--rl-temperature must be > 0, was " + temperature);
        }
    }

    /** What one round sampled: replies, the share whose verdict was right, and the examples whose replies differed. */
    public record Round(int round, int replies, double right, int informative) {}

    private final DeepSeekV3Model model;
    private final BpeTokenizer tokenizer;
    private final Options options;
    private final PrintStream log;

    public JudgeRl(DeepSeekV3Model model, BpeTokenizer tokenizer, Options options, PrintStream log) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.log = log;
    }

    /** Trains for {@link Options#rounds} rounds, {@code fresh.apply(round)} giving each round's unseen examples. */
    public List<Round> train(LongFunction<List<JudgeExample>> fresh) {
        List<Round> out = new ArrayList<>();
        if (options.rounds() == 0) return out;
        PolicyTrainer trainer = new PolicyTrainer(model, null, TrainOptions.builder().lr(options.lr()).minLrRatio(1f).warmupSteps(0)
                .steps(options.rounds()).batchSize(64).seqLen(512).seed(options.seed())
                // a few steps on a trained judge: leave its routing biases as they are (as the loop does for the policy)
                .biasUpdateSpeed(0f).lossWeights(LossWeights.NONE).build());
        Grpo grpo = Grpo.builder().clipLow(0.2).clipHigh(0.28).beta(0).build();
        ChatTemplate template = ChatTemplate.deepSeekV3(tokenizer);
        for (int r = 1; r <= options.rounds(); r++) {
            List<JudgeExample> items = fresh.apply(r);
            List<Rollout> rollouts = new ArrayList<>();
            int right = 0, replies = 0, informative = 0;
            Random rng = new Random(options.seed() * 1_000_003L + r);
            List<List<Completion>> sampled = sample(items, template, rng);
            for (int i = 0; i < items.size(); i++) {
                List<Completion> group = sampled.get(i);
                if (group == null) continue;
                double[] reward = new double[group.size()];
                double mean = 0;
                for (int k = 0; k < group.size(); k++) {
                    reward[k] = right(group.get(k).text(), items.get(i).label()) ? 1 : 0;
                    mean += reward[k] / group.size();
                }
                double var = 0;
                for (double x : reward) var += (x - mean) * (x - mean) / group.size();
                double std = Math.sqrt(var);
                if (std > 0) informative++;
                for (int k = 0; k < group.size(); k++) {
                    Completion c = group.get(k);
                    float[] lp = new float[c.tokens().length];
                    for (int t = 0; t < lp.length; t++) lp[t] = (float) c.logprobs().get(t).logprob();
                    rollouts.add(Rollout.builder(c.promptTokens(), c.tokens()).logProbs(lp).reward(reward[k])
                            .advantage(std > 0 ? (reward[k] - mean) / std : 0).build());
                    replies++;
                    if (reward[k] == 1) right++;
                }
            }
            var step = trainer.step(grpo, rollouts);
            Round round = new Round(r, replies, replies == 0 ? Double.NaN : (double) right / replies, informative);
            out.add(round);
            log.printf(Locale.ROOT, "rl round %d/%d: %d replies, %.3f right, %d of %d examples informative, loss %.4f%n", r,
                    options.rounds(), replies, round.right(), informative, items.size(), step.metrics().loss());
        }
        return out;
    }

    /** {@code samples} replies to each example's prompt (null where the judge refuses to judge it), each its own seed. */
    private List<List<Completion>> sample(List<JudgeExample> items, ChatTemplate template, Random rng) {
        Generator generator = Generator.builder().model(model).tokenizer(tokenizer).maxBatch(64).build();
        int stop = tokenizer.tokenId(ChatTemplate.END_OF_SENTENCE);
        List<List<DecodeSequence>> seqs = new ArrayList<>();
        for (JudgeExample e : items) {
            var chat = JudgeTrainer.chat(e, rng.nextLong());
            if (chat == null) {
                seqs.add(null);
                continue;
            }
            int[] prompt = template.prompt(chat);
            List<DecodeSequence> group = new ArrayList<>();
            for (int k = 0; k < options.samples(); k++) {
                SamplingParams p = SamplingParams.builder().temperature(options.temperature()).seed(rng.nextLong())
                        .maxNewTokens(ExperimentJudges.MAX_TOKENS).stopTokenIds(Set.of(stop)).logprobs(true).build();
                group.add(generator.add(prompt, p, TokenListener.NONE));
            }
            seqs.add(group);
        }
        while (generator.step()) { /* every queued reply decodes together */ }
        List<List<Completion>> out = new ArrayList<>();
        for (List<DecodeSequence> g : seqs) out.add(g == null ? null : g.stream().map(DecodeSequence::completion).toList());
        return out;
    }

    /** Whether a reply's closing {@code Score: N} is {@code label}. */
    static boolean right(String reply, int label) {
        Matcher m = VERDICT.matcher(reply.strip());
        return m.find() && m.group(1).equals(Integer.toString(label));
    }
}
