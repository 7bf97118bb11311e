package dev.consilium.runtime.loop;

import dev.consilium.agents.Task;
import dev.consilium.agents.provider.builtin.BuiltinChatModel;
import dev.consilium.agents.provider.builtin.BuiltinModel;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.runtime.datasets.ArithmeticDataset;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.langchain4j.model.chat.ChatModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What GRPO can sharpen a policy toward, measured on the held-out arithmetic tasks: n answers per task sampled at
 * each temperature through the solver-reviser workflow, and from them, for the team (final answer) and the solver
 * alone (first turn):
 * <ul>
 *   <li>pass@k, the unbiased estimate 1 - C(n-c, k) / C(n, k) from c right of n: the share of tasks some sample of k
 *       gets right, the ceiling of what reinforcing right samples can reach;</li>
 *   <li>maj@k, majority vote over k samples (ties to the answer seen first), averaged over the n / k disjoint runs of
 *       k: the greedy accuracy a policy that put all its mass on its present most likely answer would have;</li>
 *   <li>the share of groups of G = 8 and 16 whose rewards are all equal (all right or all wrong, C(c, G) + C(n-c, G)
 *       over C(n, G)): GRPO learns nothing from those;</li>
 *   <li>where the modal sampled answer is wrong, how far the right one is behind it: the share of tasks whose right
 *       answer is sampled at least half as often as the modal one (a small move flips them), less often but at least
 *       once, or never in n;</li>
 *   <li>and the greedy accuracy beside them.</li>
 * </ul>
 * Not a unit test: a bench (about 2 minutes a temperature on 2 quiet cores). From the repository root after
 * {@code mvn -pl runtime -am test-compile} and {@code ./consilium --help} (which builds the jar that brings the
 * dependencies):
 * <pre>
 *   java --add-modules jdk.incubator.vector -Dpolicy=models/demo-policy -Dn=64 -Dtemps=1.0,0.7 \
 *     -cp moe/target/classes:agents/target/classes:rewards/target/classes:runtime/target/classes:runtime/target/test-classes:runtime/target/consilium.jar \
 *     dev.consilium.runtime.loop.RlCeiling
 * </pre>
 * {@code -Dpolicy} takes any checkpoint directory (a run's {@code rounds/round-NNNN}), {@code -Dtasks} another task file.
 */
public final class RlCeiling {
    private static final int[] KS = {1, 4, 16, 64};
    private static final int[] GROUPS = {8, 16};

    public static void main(String[] args) {
        Path policyPath = Path.of(System.getProperty("policy", "models/demo-policy"));
        int n = Integer.parseInt(System.getProperty("n", "64"));
        int limit = Integer.parseInt(System.getProperty("evalN", "200"));
        String tasksFile = System.getProperty("tasks", "datasets/arithmetic/heldout.jsonl");
        List<Problem> tasks = ArithmeticDataset.read(Path.of(tasksFile));
        tasks = tasks.subList(0, Math.min(limit, tasks.size()));
        ModelCheckpoint cp = ModelCheckpoint.load(policyPath);
        RolloutExecutor executor = RolloutExecutor.inProcess(64);
        System.out.printf(Locale.ROOT, "policy %s, %d tasks of %s, %d samples a task%n", policyPath, tasks.size(), tasksFile, n);
        try (BuiltinModel served = BuiltinModel.of("builtin/policy", cp.model(), cp.tokenizer())) {
            ChatModel chat = new BuiltinChatModel(served);
            long t0 = System.nanoTime();
            List<Trajectory> greedy = run(executor, tasks, 1, t -> GreedyChatModel.always(chat, 12));
            int team = 0, solver = 0;
            Map<Integer, int[]> byDifficulty = new java.util.TreeMap<>();
            for (int t = 0; t < tasks.size(); t++) {
                boolean ok = right(greedy.get(t).output(), tasks.get(t));
                if (ok) team++;
                if (right(firstTurn(greedy.get(t)), tasks.get(t))) solver++;
                int[] d = byDifficulty.computeIfAbsent(tasks.get(t).difficulty(), x -> new int[2]);
                d[0] += ok ? 1 : 0;
                d[1]++;
            }
            System.out.printf(Locale.ROOT, "greedy: team %.1f%%, solver %.1f%%%n", pct(team, tasks.size()), pct(solver, tasks.size()));
            StringBuilder byD = new StringBuilder("greedy team by difficulty:");
            byDifficulty.forEach((d, c) -> byD.append(String.format(Locale.ROOT, " %d: %d/%d", d, c[0], c[1])));
            System.out.println(byD);
            for (String temp : System.getProperty("temps", "1.0,0.7").split(",")) {
                double temperature = Double.parseDouble(temp);
                long seedBase = Long.getLong("seed", 11L) * 1_000_003L;
                List<Trajectory> sampled = run(executor, tasks, n,
                        k -> new PolicyChatModel(chat, temperature, 12, seedBase + k * 16L));
                report("team", temperature, tasks, n, sampled, true);
                report("solver", temperature, tasks, n, sampled, false);
            }
            System.out.printf(Locale.ROOT, "took %.0f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }

    private interface ModelFor {
        ChatModel of(int unit);
    }

    /** {@code per} runs of the workflow for each task, task-major, each on the model {@code models} gives its unit. */
    private static List<Trajectory> run(RolloutExecutor executor, List<Problem> tasks, int per, ModelFor models) {
        List<Callable<Trajectory>> units = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            for (int k = 0; k < per; k++) {
                Problem p = tasks.get(t);
                ChatModel m = models.of(t * per + k);
                units.add(() -> RlLab.workflow("solver-reviser", m).run(new Task("c" + p.question(), p.question(), Map.of())));
            }
        }
        return executor.runAll(units);
    }

    private static void report(String who, double temperature, List<Problem> tasks, int n, List<Trajectory> sampled, boolean team) {
        double[] pass = new double[KS.length], maj = new double[KS.length], flat = new double[GROUPS.length];
        double right = 0;
        int near = 0, far = 0, never = 0;
        for (int t = 0; t < tasks.size(); t++) {
            List<String> answers = new ArrayList<>(n);
            int c = 0;
            for (int k = 0; k < n; k++) {
                Trajectory tr = sampled.get(t * n + k);
                String a = team ? tr.output() : firstTurn(tr);
                answers.add(a == null ? "" : a.strip());
                if (right(a, tasks.get(t))) c++;
            }
            right += (double) c / n;
            String mode = majority(answers);
            if (!mode.equals(tasks.get(t).answer())) {
                int modal = (int) answers.stream().filter(mode::equals).count();
                if (c == 0) never++;
                else if (2 * c >= modal) near++;
                else far++;
            }
            for (int i = 0; i < KS.length; i++) {
                int k = KS[i];
                if (k > n) continue;
                pass[i] += 1 - choose(n - c, k) / choose(n, k);
                int runs = n / k, won = 0;
                for (int r = 0; r < runs; r++) if (majority(answers.subList(r * k, r * k + k)).equals(tasks.get(t).answer())) won++;
                maj[i] += (double) won / runs;
            }
            for (int i = 0; i < GROUPS.length; i++) {
                int g = GROUPS[i];
                if (g <= n) flat[i] += (choose(c, g) + choose(n - c, g)) / choose(n, g);
            }
        }
        int N = tasks.size();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "T=%.2f %-6s", temperature, who));
        for (int i = 0; i < KS.length; i++) if (KS[i] <= n) line.append(String.format(Locale.ROOT, " | pass@%d %.1f%%", KS[i], 100 * pass[i] / N));
        for (int i = 0; i < KS.length; i++) if (KS[i] <= n) line.append(String.format(Locale.ROOT, " | maj@%d %.1f%%", KS[i], 100 * maj[i] / N));
        for (int i = 0; i < GROUPS.length; i++) if (GROUPS[i] <= n) line.append(String.format(Locale.ROOT, " | all-equal G=%d %.1f%%", GROUPS[i], 100 * flat[i] / N));
        line.append(String.format(Locale.ROOT, " | modal answer wrong: right one >= half as often %.1f%%, less %.1f%%, never %.1f%%",
                pct(near, N), pct(far, N), pct(never, N)));
        System.out.println(line);
    }

    /** The most frequent answer, ties to the one seen first. */
    private static String majority(List<String> answers) {
        Map<String, Integer> count = new HashMap<>();
        String best = answers.getFirst();
        for (String a : answers) {
            int c = count.merge(a, 1, Integer::sum);
            if (c > count.get(best)) best = a;
        }
        return best;
    }

    /** C(n, k) as a double (0 when k > n). */
    private static double choose(int n, int k) {
        if (k < 0 || k > n) return 0;
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    private static String firstTurn(Trajectory t) {
        return t.calls().isEmpty() || t.calls().getFirst().failed() ? null : t.calls().getFirst().output();
    }

    private static boolean right(String answer, Problem p) {
        return RlLab.ok(answer, p);
    }

    private static double pct(int a, int b) {
        return 100.0 * a / b;
    }
}
