package dev.consilium.runtime.loop;

import dev.consilium.agents.Task;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.provider.builtin.BuiltinChatModel;
import dev.consilium.agents.provider.builtin.BuiltinModel;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.model.LossWeights;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TemplateMessage;
import dev.consilium.moe.train.TrainOptions;
import dev.consilium.moe.train.policy.Grpo;
import dev.consilium.moe.train.policy.PolicyStep;
import dev.consilium.moe.train.policy.PolicyTrainer;
import dev.consilium.moe.train.policy.ReferenceModel;
import dev.consilium.moe.train.policy.Rollout;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.datasets.ArithmeticDataset;
import dev.consilium.runtime.demo.arithmetic.SolverReviser;
import dev.langchain4j.model.chat.ChatModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * A measuring bench for GRPO on the arithmetic tasks, outside the loop's journals: from a checkpoint, exact-match
 * rewards, per-step gradient norm, ratio, clip fraction, entropy and KL(pi_old || start) on the sampled tokens, the
 * share of groups whose rewards are all equal, and held-out greedy and sampled accuracy, team (reviser) and solver
 * alone, with pass@k at the rollout temperature. {@code -Dmode=shuffled} permutes the advantages among the round's
 * samples: the same gradient noise without the reward's signal, the control that tells learning from drift.
 * Settings come from system properties (see {@code main}); run from the repository root after {@code mvn test-compile}:
 * <pre>
 *   java --add-modules jdk.incubator.vector -Dlr=5e-5 -Dmb=1 -Dtasks=64 -Drounds=40 -Dbeta=0.2 -DevalEvery=10 \
 *     -cp moe/target/classes:agents/target/classes:rewards/target/classes:runtime/target/classes:runtime/target/test-classes:runtime/target/consilium.jar \
 *     dev.consilium.runtime.loop.RlLab
 * </pre>
 */
public final class RlLab {
    static String s(String k, String d) { return System.getProperty(k, d); }
    static double d(String k, double d) { return Double.parseDouble(s(k, "" + d)); }
    static int i(String k, int d) { return Integer.parseInt(s(k, "" + d)); }

    public static void main(String[] args) {
        String policyPath = s("policy", "models/demo-policy");
        double lr = d("lr", 1e-4), temp = d("temp", 1.0), clipLow = d("clipLow", 0.2), clipHigh = d("clipHigh", 0.28), beta = d("beta", 0);
        int rounds = i("rounds", 10), tasksPerRound = i("tasks", 32), g = i("g", 8), mb = i("mb", 2), warmup = i("warmup", 4);
        int epochs = i("epochs", 1);
        String mode = s("mode", "real"); // real | shuffled | zero
        String credit = s("credit", "per-turn");
        String wf = s("wf", "solver-reviser"); // solver-reviser | solver
        boolean dynamic = Boolean.parseBoolean(s("dynamic", "false"));
        String agg = s("agg", "TOKEN");
        double wd = d("wd", 0.1);
        int evalN = i("evalN", 200), passK = i("passK", 0);
        long seed = i("seed", 1);
        float clipNorm = (float) d("clipNorm", 1.0);

        ModelCheckpoint cp = ModelCheckpoint.load(Path.of(policyPath));
        DeepSeekV3Model policy = cp.model();
        BpeTokenizer tok = cp.tokenizer();
        ChatTemplate template = ChatTemplate.deepSeekV3(tok);
        List<Problem> train = ArithmeticDataset.read(Path.of("datasets/arithmetic/train.jsonl"));
        List<Problem> heldout = ArithmeticDataset.read(Path.of("datasets/arithmetic/heldout.jsonl")).subList(0, evalN);
        ReferenceModel reference = ReferenceModel.frozenCopyOf(ModelCheckpoint.load(Path.of(policyPath)).model());
        long totalSteps = Math.max(warmup + 1, (long) rounds * mb * epochs);
        PolicyTrainer trainer = new PolicyTrainer(policy, beta > 0 ? reference : null, TrainOptions.builder().lr((float) lr)
                .minLrRatio((float) d("minLr", 1.0)).warmupSteps(warmup).steps(totalSteps).batchSize(64).seqLen(256).seed(seed)
                .weightDecay((float) wd).optimizer(TrainOptions.Optimizer.valueOf(s("opt", "ADAMW"))).clipNorm(clipNorm).biasUpdateSpeed(0f).lossWeights(LossWeights.NONE).build());
        Grpo grpo = Grpo.builder().clipLow(clipLow).clipHigh(clipHigh).beta(beta).aggregation(Grpo.Aggregation.valueOf(agg))
                .temperature(temp).build();
        RolloutExecutor ex = RolloutExecutor.inProcess(64);
        long t0 = System.nanoTime();
        System.out.println("settings: " + System.getProperties().entrySet().stream()
                .filter(e -> List.of("lr", "temp", "rounds", "tasks", "g", "mb", "warmup", "mode", "credit", "wf", "dynamic", "agg",
                        "wd", "beta", "clipLow", "clipHigh", "epochs", "policy", "seed", "minLr", "clipNorm", "opt", "fixed").contains(e.getKey().toString())).toList());
        List<Problem> order = new ArrayList<>(train);
        Collections.shuffle(order, new Random(seed));
        if (i("fixed", 0) > 0) System.out.printf(Locale.ROOT, "  exact P(solver correct) on the fixed tasks: %.4f%n",
                exactSolver(trainer, template, tok, order.subList(0, i("fixed", 0))));
        eval(0, policy, tok, heldout, wf, temp, passK, ex, t0);
        Random rng = new Random(seed);
        int pool = 0;
        for (int round = 1; round <= rounds; round++) {
            List<Rollout> samples = new ArrayList<>();
            int degenerate = 0, groups = 0;
            double rewardSum = 0, rewardN = 0, klSum = 0;
            int klN = 0;
            try (BuiltinModel served = BuiltinModel.of("builtin/policy", policy, tok)) {
                ChatModel chat = new BuiltinChatModel(served);
                while (groups < tasksPerRound) {
                    int want = dynamic ? Math.max(4, (tasksPerRound - groups) * 2) : tasksPerRound;
                    List<Problem> tasks = new ArrayList<>();
                    int fixed = i("fixed", 0);
                    for (int t = 0; t < want; t++) tasks.add(order.get(fixed > 0 ? t % fixed : pool++ % order.size()));
                    List<Callable<Trajectory>> units = new ArrayList<>();
                    for (int t = 0; t < tasks.size(); t++) {
                        for (int k = 0; k < g; k++) {
                            Problem p = tasks.get(t);
                            long sd = rng.nextLong();
                            units.add(() -> workflow(wf, new PolicyChatModel(chat, temp, 12, sd)).run(new Task("x", p.question(), Map.of())));
                        }
                    }
                    List<Trajectory> rolled = ex.runAll(units);
                    for (int t = 0; t < tasks.size() && groups < tasksPerRound; t++) {
                        Problem p = tasks.get(t);
                        List<Trajectory> group = rolled.subList(t * g, t * g + g);
                        int turns = group.getFirst().calls().size();
                        double[][] reward = new double[g][turns];
                        for (int k = 0; k < g; k++) {
                            List<ModelCall> calls = group.get(k).calls();
                            double outcome = ok(calls.getLast().output(), p) ? 1 : 0;
                            for (int c = 0; c < turns; c++) reward[k][c] = credit.equals("outcome") ? outcome : ok(calls.get(c).output(), p) ? 1 : 0;
                            rewardSum += outcome;
                            rewardN++;
                        }
                        boolean flat = true;
                        for (int c = 0; c < turns; c++) {
                            double mean = 0;
                            for (int k = 0; k < g; k++) mean += reward[k][c] / g;
                            double var = 0;
                            for (int k = 0; k < g; k++) var += (reward[k][c] - mean) * (reward[k][c] - mean);
                            double std = Math.sqrt(var / (g - 1));
                            if (std > 1e-6) flat = false;
                            for (int k = 0; k < g; k++) {
                                double a = std < 1e-6 ? 0 : (reward[k][c] - mean) / std;
                                Rollout r = TrainingBatch.sample(group.get(k).calls().get(c), template, reward[k][c], a);
                                if (r != null && !(dynamic && std < 1e-6)) samples.add(r);
                            }
                        }
                        if (flat) degenerate++;
                        if (!(dynamic && flat)) groups++;
                        if (!dynamic) continue;
                    }
                    if (!dynamic) break;
                }
            }
            // KL(pi || ref) estimated on the sampled tokens (sampled from pi): mean of logp_pi - logp_ref
            if (mode.equals("shuffled")) {
                List<Double> adv = new ArrayList<>();
                for (Rollout r : samples) adv.add(r.advantage());
                Collections.shuffle(adv, rng);
                for (int k = 0; k < samples.size(); k++) {
                    Rollout r = samples.get(k);
                    samples.set(k, new Rollout(r.prompt(), r.completion(), r.logProbs(), r.reward(), adv.get(k), r.mask()));
                }
            } else if (mode.equals("zero")) {
                for (int k = 0; k < samples.size(); k++) {
                    Rollout r = samples.get(k);
                    samples.set(k, new Rollout(r.prompt(), r.completion(), r.logProbs(), r.reward(), 0.0, r.mask()));
                }
            }
            Collections.shuffle(samples, rng);
            // pi_old at the sampling temperature (the generator reports temperature-1 log-probs)
            List<float[]> old = trainer.logProbs(samples, temp);
            for (int k = 0; k < samples.size(); k++) samples.set(k, samples.get(k).withLogProbs(old.get(k)));
            StringBuilder steps = new StringBuilder();
            int n = samples.size();
            for (int e = 0; e < epochs; e++) {
                for (int m = 0; m < mb; m++) {
                    int from = n * m / mb, to = n * (m + 1) / mb;
                    if (from == to) continue;
                    try {
                        PolicyStep<Grpo.Metrics> st = trainer.step(grpo, samples.subList(from, to));
                        steps.append(String.format(Locale.ROOT, " [gn %.3f r %.3f clip %.3f H %.3f]", st.update().gradNorm(),
                                st.metrics().meanRatio(), st.metrics().clipFraction(), st.metrics().entropy()));
                    } catch (IllegalArgumentException none) {
                        steps.append(" [none]");
                    }
                }
            }
            double kl = klOnSamples(samples, reference);
            if (i("fixed", 0) > 0) System.out.printf(Locale.ROOT, "  exact P(solver correct) on the fixed tasks: %.4f%n",
                    exactSolver(trainer, template, tok, order.subList(0, i("fixed", 0))));
            System.out.printf(Locale.ROOT, "round %d: reward %.3f degenerate %d/%d samples %d kl(old||ref) %.4f steps%s%n", round,
                    rewardSum / rewardN, degenerate, groups, n, kl, steps);
            if (round % i("evalEvery", 1) == 0 || round == rounds) eval(round, policy, tok, heldout, wf, temp, 0, ex, t0);
        }
    }

    /** Mean over sampled tokens of logp_old - logp_ref: Monte Carlo KL(pi_old || ref) for on-policy samples. */
    static double klOnSamples(List<Rollout> samples, ReferenceModel reference) {
        double sum = 0;
        int n = 0;
        for (Rollout r : samples) {
            dev.consilium.moe.train.policy.PackedBatch p = dev.consilium.moe.train.policy.PackedBatch.pack(List.of(r), 256);
            float[] ref = reference.logProbs(p.tokens(), p.targets(), 1, p.seqLen());
            for (int j = 0; j < r.completion().length; j++) {
                sum += r.logProbs()[j] - ref[p.position(0, j)];
                n++;
            }
        }
        return sum / Math.max(1, n);
    }

    /** Mean over tasks of the solver's exact probability of answering right: p(answer digits, EOS | prompt). */
    static double exactSolver(PolicyTrainer trainer, ChatTemplate template, BpeTokenizer tok, List<Problem> tasks) {
        List<Rollout> rs = new ArrayList<>();
        for (Problem p : tasks) {
            int[] prompt = template.prompt(List.of(TemplateMessage.system(dev.consilium.runtime.datasets.ArithmeticDialogues.SOLVER_ROLE),
                    TemplateMessage.user(p.question())));
            int[] ans = tok.encodeOrdinary(p.answer());
            int[] completion = java.util.Arrays.copyOf(ans, ans.length + 1);
            completion[ans.length] = template.endOfTurn();
            rs.add(Rollout.builder(prompt, completion).advantage(0).reward(0).build());
        }
        double sum = 0;
        for (float[] lp : trainer.logProbs(rs)) {
            double l = 0;
            for (float v : lp) l += v;
            sum += Math.exp(l);
        }
        return sum / tasks.size();
    }

    static boolean ok(String out, Problem p) {
        return out != null && out.strip().equals(p.answer());
    }

    static Workflow workflow(String wf, ChatModel model) {
        if (wf.equals("solver")) {
            return dev.consilium.agents.workflow.Workflows.sequence(dev.consilium.agents.Agent.builder().name("solver")
                    .role(dev.consilium.runtime.datasets.ArithmeticDialogues.SOLVER_ROLE).model(model)
                    .memory(dev.consilium.agents.MemoryPolicy.NONE).build());
        }
        return SolverReviser.create(model);
    }

    static void eval(int round, DeepSeekV3Model policy, BpeTokenizer tok, List<Problem> heldout, String wf, double temp, int passK,
                     RolloutExecutor ex, long t0) {
        try (BuiltinModel served = BuiltinModel.of("builtin/policy", policy, tok)) {
            ChatModel chat = new BuiltinChatModel(served);
            ChatModel greedy = GreedyChatModel.always(chat, 12);
            List<Callable<Trajectory>> units = new ArrayList<>();
            for (Problem p : heldout) units.add(() -> workflow(wf, greedy).run(new Task("e", p.question(), Map.of())));
            int samplesPer = Math.max(2, passK);
            for (int t = 0; t < heldout.size(); t++) {
                Problem p = heldout.get(t);
                for (int k = 0; k < samplesPer; k++) {
                    long sd = 7_777_000L + t * 1009L + k;
                    units.add(() -> workflow(wf, new PolicyChatModel(chat, temp, 12, sd)).run(new Task("e", p.question(), Map.of())));
                }
            }
            List<Trajectory> r = ex.runAll(units);
            int team = 0, solver = 0, sTeam = 0, sSolver = 0, passTeam = 0, passSolver = 0;
            int N = heldout.size();
            for (int t = 0; t < N; t++) {
                Problem p = heldout.get(t);
                Trajectory tr = r.get(t);
                if (ok(tr.output(), p)) team++;
                if (ok(tr.calls().getFirst().output(), p)) solver++;
                boolean anyT = false, anyS = false;
                for (int k = 0; k < samplesPer; k++) {
                    Trajectory s = r.get(N + t * samplesPer + k);
                    boolean a = ok(s.output(), p), b = ok(s.calls().getFirst().output(), p);
                    if (a) sTeam++;
                    if (b) sSolver++;
                    anyT |= a;
                    anyS |= b;
                }
                if (anyT) passTeam++;
                if (anyS) passSolver++;
            }
            System.out.printf(Locale.ROOT, "EVAL round %d: greedy team %.1f%% solver %.1f%% | sampled(T=%.2f) team %.1f%% solver %.1f%%%s (%.0f s)%n",
                    round, 100.0 * team / N, 100.0 * solver / N, temp, 100.0 * sTeam / (N * samplesPer), 100.0 * sSolver / (N * samplesPer),
                    passK > 0 ? String.format(Locale.ROOT, " | pass@%d team %.1f%% solver %.1f%%", samplesPer, 100.0 * passTeam / N, 100.0 * passSolver / N) : "",
                    (System.nanoTime() - t0) / 1e9);
        }
    }
}
