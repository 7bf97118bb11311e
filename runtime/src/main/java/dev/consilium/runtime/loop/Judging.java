package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.function.Compose;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;

import dev.consilium.runtime.seam.InProcessUnitExecutor;
import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;
import dev.consilium.runtime.seam.WorkUnit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;

/**
 * An experiment's judges and reward functions over a rollout: each judge's verdict on the transcript, each
 * reward function's on its final answer, and their weighted sum; with per-turn credit also that sum on the
 * transcript up to each turn, whose last answer is then the one judged. A judge that abstains where a reward
 * function with weight scored leaves the sum to the functions that scored: a verifiable reward is not wiped out
 * by a judge that could not decide.
 */
final class Judging {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Compose.Weighted> judges;
    private final List<JudgeRecipe> recipes;   // by judge; null where a judge cannot be rebuilt elsewhere
    private final List<Compose.Weighted> functions;
    private final AnswerCheck check;
    private final boolean perTurn;

    Judging(List<Compose.Weighted> judges, List<Compose.Weighted> functions, AnswerCheck check, boolean perTurn) {
        this(judges, Collections.nCopies(judges.size(), null), functions, check, perTurn);
    }

    /** {@code recipes}: how executors in other JVMs rebuild each judge, null for one they cannot (judged on the driver). */
    Judging(List<Compose.Weighted> judges, List<JudgeRecipe> recipes, List<Compose.Weighted> functions, AnswerCheck check, boolean perTurn) {
        if (recipes.size() != judges.size()) throw new IllegalArgumentException(recipes.size() + " recipes for " + judges.size() + " judges");
        this.judges = List.copyOf(judges);
        this.recipes = Collections.unmodifiableList(new ArrayList<>(recipes));
        this.functions = List.copyOf(functions);
        this.check = check;
        this.perTurn = perTurn;
    }

    /**
     * These judges and reward functions with judge {@code index} replaced by {@code judge}, its weight kept (a refreshed
     * judge); {@code checkpoint}: the directory its weights are in, so that executors rebuild the refreshed judge.
     */
    Judging withJudge(int index, RewardFunction judge, java.nio.file.Path checkpoint) {
        List<Compose.Weighted> js = new ArrayList<>(judges);
        js.set(index, Compose.term(judge, judges.get(index).weight()));
        List<JudgeRecipe> rs = new ArrayList<>(recipes);
        rs.set(index, rs.get(index) == null ? null : rs.get(index).refreshedInto(checkpoint));
        return new Judging(js, rs, functions, check, perTurn);
    }

    RewardFunction judge(int index) {
        return judges.get(index).function();
    }

    /**
     * One judged rollout: each judge's verdict, each reward function's, and their weighted sum, on the whole
     * transcript; {@code exact}: the answer check's view of its final answer; with per-turn credit, {@code turns}
     * holds the weighted sum on the transcript up to each turn (the last is {@code combined}), otherwise it is empty.
     */
    record Judged(List<Verdict> judges, List<Verdict> functions, Verdict combined, boolean exact, List<Verdict> turns) {
        ObjectNode record(String id) {
            ObjectNode o = JSON.createObjectNode().put("id", id).put("exact_match", exact);
            ArrayNode js = o.putArray("judges");
            for (Verdict v : judges) js.add(verdictJson(v));
            o.set("combined", verdictJson(combined));
            if (!turns.isEmpty()) {
                ArrayNode ts = o.putArray("turns");
                for (Verdict v : turns) ts.add(verdictJson(v));
            }
            return o;
        }
    }

    /** Judges every rollout of the round, its pointwise judges' verdicts as units on {@code units}. */
    Judgments judge(Rollouts rollouts, RolloutExecutor executor, UnitExecutor units, SecretEnv secrets) {
        return judge(rollouts, List.of(), 0, executor, units, secrets);
    }

    /**
     * Judges every rollout of the round and, shuffled in among them, its gold {@code probes}, on {@code executor}.
     * A probe is judged as a rollout's whole transcript is: the same judges, prompt and fencing, its task's input
     * and reference, its answer in the rollouts' transcript form; only its verdicts are kept apart afterwards.
     * <p>
     * Each pointwise judge's verdict on each transcript (whole, per turn, probe) is one unit on {@code units},
     * {@code secrets} going with them where they leave this JVM; so is each group judge's call on a task's group (or a
     * probe's); the reward functions run on {@code executor}'s threads here, as the weighted sums do.
     */
    Judgments judge(Rollouts rollouts, List<GoldItem> probes, long shuffleSeed, RolloutExecutor executor, UnitExecutor units,
                    SecretEnv secrets) {
        int n = rollouts.size();
        Set<String> agents = new LinkedHashSet<>();
        for (Trajectory t : rollouts.trajectories()) for (ModelCall c : t.calls()) agents.add(c.agent());
        List<JudgedItem> probeItems = new ArrayList<>();
        for (GoldItem probe : probes) probeItems.add(JudgedItem.of(probe.task(), asTranscript(probe.answer(), agents), probe.reference()));
        // Group judges first, one call per task group (and per probe, in a group of G); pointwise judges then per unit.
        Verdict[][] grouped = GroupJudging.any(judges) ? GroupJudging.judge(judges, rollouts, probeItems, shuffleSeed,
                calls -> groups(calls, executor, units, secrets)) : null;
        // What each rollout (then each probe) has judged: its whole transcript, then with per-turn credit each turn's.
        List<List<JudgedItem>> items = new ArrayList<>();
        for (int k = 0; k < n; k++) items.add(itemsOf(rollouts.trajectories().get(k), rollouts.taskOf(k)));
        for (int k = 0; k < probes.size(); k++) items.add(List.of(JudgedItem.of(probes.get(k).task(), probeItems.get(k).answer(), probes.get(k).reference())));
        // Shuffled so that probes reach the judges in among the rollouts, not as a block after them; a round
        // without probes keeps the rollouts' order, so that runs without them judge as they always did.
        Integer[] order = new Integer[items.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (!probes.isEmpty()) Collections.shuffle(Arrays.asList(order), new Random(shuffleSeed));
        Map<String, VerdictResult> asked = pointwise(items, order, grouped, units, secrets);
        List<Callable<Judged>> work = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Trajectory t = rollouts.trajectories().get(k);
            TaskRecord task = rollouts.taskOf(k);
            List<Verdict> pre = GroupJudging.row(grouped, k);
            int unit = k;
            work.add(() -> judge(t, task, turn -> known(pre, asked, unit, turn)));
        }
        for (int k = 0; k < probes.size(); k++) {
            GoldItem probe = probes.get(k);
            TaskRecord task = TaskRecord.of(probe.id(), probe.task(), probe.reference());
            String transcript = probeItems.get(k).answer();
            List<Verdict> pre = GroupJudging.row(grouped, n + k);
            int unit = n + k;
            work.add(() -> judgesOnly(task, transcript, known(pre, asked, unit, 0)));
        }
        List<Callable<Judged>> shuffled = new ArrayList<>();
        for (Integer i : order) shuffled.add(work.get(i));
        List<Judged> done = executor.runAll(shuffled);
        Judged[] byUnit = new Judged[work.size()];
        for (int i = 0; i < order.length; i++) byUnit[order[i]] = done.get(i);
        List<List<Verdict>> probeVerdicts = new ArrayList<>();
        for (int k = n; k < byUnit.length; k++) probeVerdicts.add(byUnit[k].judges());
        return new Judgments(Arrays.asList(byUnit).subList(0, n), !judges.isEmpty(),
                new ProbeJudgments(rollouts.round(), List.copyOf(probes), probeVerdicts));
    }

    /** The items a rollout is judged on: its whole transcript, then with per-turn credit the transcript up to each turn but the last. */
    private List<JudgedItem> itemsOf(Trajectory t, TaskRecord task) {
        List<JudgedItem> out = new ArrayList<>();
        out.add(JudgedItem.of(task.input(), Transcripts.of(t), task.reference()));
        if (perTurn) for (int k = 0; k < t.calls().size() - 1; k++) out.add(JudgedItem.of(task.input(), Transcripts.upTo(t, k + 1), task.reference()));
        return out;
    }

    /**
     * Every pointwise judge's verdict on every item, as units in judging order ({@code order} over the items'
     * owners), keyed {@code owner/item/judge}. In this JVM every pointwise judge is asked; on executors elsewhere
     * those with a recipe, the rest then asked on the driver as before.
     */
    private Map<String, VerdictResult> pointwise(List<List<JudgedItem>> items, Integer[] order, Verdict[][] grouped,
                                                 UnitExecutor units, SecretEnv secrets) {
        boolean remote = units.remote();
        List<Integer> asked = new ArrayList<>();
        for (int j = 0; j < judges.size(); j++) {
            if (judges.get(j).function() instanceof GroupJudgeFunction) continue;
            if (!remote || recipes.get(j) != null) asked.add(j);
        }
        if (asked.isEmpty()) return Map.of();
        List<WorkUnit<JudgePanel.Item>> work = new ArrayList<>();
        for (Integer owner : order) {
            List<JudgedItem> of = items.get(owner);
            for (int i = 0; i < of.size(); i++) {
                for (int j : asked) work.add(WorkUnit.of(owner + "/" + i + "/" + j, JudgePanel.Item.of(j, of.get(i))));
            }
        }
        return units.runAll(panel(remote), remote ? secrets : SecretEnv.NONE, work, JudgePanel.EVALUATE);
    }

    /**
     * The group judges' calls as units on {@code units}: on executors elsewhere those whose judge has a recipe, the
     * rest on the driver's threads ({@code executor}) as before; in this JVM all of them, on the live judges.
     */
    private Map<String, VerdictsResult> groups(List<WorkUnit<JudgePanel.Group>> calls, RolloutExecutor executor, UnitExecutor units,
                                               SecretEnv secrets) {
        boolean remote = units.remote();
        List<WorkUnit<JudgePanel.Group>> sent = new ArrayList<>(), here = new ArrayList<>();
        for (WorkUnit<JudgePanel.Group> c : calls) (remote && recipes.get(c.payload().judge()) == null ? here : sent).add(c);
        Map<String, VerdictsResult> out = new HashMap<>();
        if (!sent.isEmpty()) out.putAll(units.runAll(panel(remote), remote ? secrets : SecretEnv.NONE, sent, JudgePanel.EVALUATE_GROUP));
        if (!here.isEmpty()) {
            out.putAll(new InProcessUnitExecutor(executor, units.slots()).runAll(panel(false), SecretEnv.NONE, here, JudgePanel.EVALUATE_GROUP));
        }
        return out;
    }

    /**
     * The round's judges as one worker spec for pointwise and group units alike, so that an executor keeps one panel:
     * in this JVM the live judges; sent, every judge's recipe (null where it has none, judged on the driver).
     */
    private JudgePanel panel(boolean remote) {
        if (remote) return JudgePanel.sent(recipes);
        List<RewardFunction> live = new ArrayList<>();
        for (Compose.Weighted w : judges) live.add(w.function());
        return JudgePanel.live(live);
    }

    /** For item {@code item} of owner {@code owner}: judge j's verdict already given, by a group judge or a unit; null: ask it now. */
    private static IntFunction<Verdict> known(List<Verdict> pre, Map<String, VerdictResult> asked, int owner, int item) {
        return j -> {
            Verdict given = item == 0 && pre != null ? pre.get(j) : null;
            if (given != null) return given;
            VerdictResult r = asked.get(owner + "/" + item + "/" + j);
            return r == null ? null : r.verdict();
        };
    }

    /**
     * A gold answer as a transcript: as it is where each of its lines already reads {@code agent: text} with an
     * agent of the round's rollouts (gold sets of transcripts), otherwise one turn by the agent that speaks first
     * in them; a bare answer would mark the probe out to the judge.
     */
    static String asTranscript(String answer, Set<String> agents) {
        if (agents.isEmpty()) return answer;
        boolean transcript = !answer.isBlank();
        for (String line : answer.split("\n", -1)) {
            int colon = line.indexOf(": ");
            if (colon <= 0 || !agents.contains(line.substring(0, colon))) transcript = false;
        }
        return transcript ? answer : Transcripts.line(agents.iterator().next(), answer);
    }

    /**
     * The judges' verdicts on a transcript; no reward function, whose verdicts no probe measures. {@code known}: the
     * verdicts already given by judge (null where a judge is to be asked now).
     */
    private Judged judgesOnly(TaskRecord task, String transcript, IntFunction<Verdict> known) {
        JudgedItem item = JudgedItem.of(task.input(), transcript, task.reference());
        List<Verdict> verdicts = new ArrayList<>();
        for (int j = 0; j < judges.size(); j++) verdicts.add(verdict(j, item, known));
        return new Judged(verdicts, List.of(), verdicts.isEmpty() ? null : verdicts.getFirst(), false, List.of());
    }

    Judged judge(Trajectory t, TaskRecord task) {
        return judge(t, task, item -> j -> null);
    }

    /**
     * As {@link #judge(Trajectory, TaskRecord)}, the verdicts already given on item i ({@code 0}: the whole transcript,
     * {@code k}: the transcript up to turn k) in {@code known.apply(i)}.
     */
    private Judged judge(Trajectory t, TaskRecord task, IntFunction<IntFunction<Verdict>> known) {
        int n = t.calls().size();
        Judged outcome = judge(task, Transcripts.of(t), t.output() == null ? "" : t.output(), known.apply(0));
        if (!perTurn || n == 0) return outcome;
        List<Verdict> turns = new ArrayList<>(n);
        for (int k = 0; k < n - 1; k++) {
            String said = t.calls().get(k).output();
            turns.add(judge(task, Transcripts.upTo(t, k + 1), said == null ? "" : said, known.apply(k + 1)).combined());
        }
        turns.add(outcome.combined());
        return new Judged(outcome.judges(), outcome.functions(), outcome.combined(), outcome.exact(), turns);
    }

    /** The judges' and reward functions' verdicts on one transcript whose last answer is {@code finalAnswer}. */
    private Judged judge(TaskRecord task, String transcript, String finalAnswer, IntFunction<Verdict> known) {
        JudgedItem item = JudgedItem.of(task.input(), transcript, task.reference());
        List<Verdict> judgeVerdicts = new ArrayList<>(), fnVerdicts = new ArrayList<>();
        List<Compose.Weighted> terms = new ArrayList<>(), scored = new ArrayList<>();
        double scoredFunctionWeight = 0;
        for (int k = 0; k < judges.size(); k++) {
            Compose.Weighted j = judges.get(k);
            Verdict v = verdict(k, item, known);
            judgeVerdicts.add(v);
            terms.add(Compose.term(fixed(j.function().name(), v), j.weight()));
            if (v instanceof Verdict.Score) scored.add(terms.getLast());
        }
        for (Compose.Weighted f : functions) {
            Verdict v = f.function().evaluate(item.withAnswer(finalAnswer));
            fnVerdicts.add(v);
            terms.add(Compose.term(fixed(f.function().name(), v), f.weight()));
            if (v instanceof Verdict.Score) {
                scored.add(terms.getLast());
                scoredFunctionWeight += Math.abs(f.weight());
            }
        }
        List<Compose.Weighted> counted = scored.size() < terms.size() && scoredFunctionWeight > 0 ? scored : terms;
        Verdict combined = Compose.weightedSum(counted).evaluate(item);
        return new Judged(judgeVerdicts, fnVerdicts, combined, check.accepts(task, finalAnswer), List.of());
    }

    /** Judge {@code j}'s verdict on {@code item}: given in {@code known} (by a group call or a unit), else asked now. */
    private Verdict verdict(int j, JudgedItem item, IntFunction<Verdict> known) {
        Verdict given = known.apply(j);
        return given != null ? given : judges.get(j).function().evaluate(item);
    }

    private static RewardFunction fixed(String name, Verdict v) {
        return new RewardFunction() {
            @Override public String name() { return name; }
            @Override public Verdict evaluate(JudgedItem item) { return v; }
        };
    }

    static ObjectNode verdictJson(Verdict v) {
        ObjectNode o = JSON.createObjectNode().put("judge", v.provenance().judge());
        switch (v) {
            case Verdict.Score s -> o.put("type", "score").put("value", s.value()).put("normalized", s.normalized())
                    .put("rationale", s.rationale()).put("raw", s.provenance().rawOutput());
            case Verdict.Abstain a -> o.put("type", "abstain").put("reason", a.reason().name()).put("detail", a.detail())
                    .put("raw", a.provenance().rawOutput());
        }
        return o;
    }
}
