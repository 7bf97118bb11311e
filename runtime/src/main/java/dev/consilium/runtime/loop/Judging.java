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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;

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
    private final List<Compose.Weighted> functions;
    private final AnswerCheck check;
    private final boolean perTurn;

    Judging(List<Compose.Weighted> judges, List<Compose.Weighted> functions, AnswerCheck check, boolean perTurn) {
        this.judges = List.copyOf(judges);
        this.functions = List.copyOf(functions);
        this.check = check;
        this.perTurn = perTurn;
    }

    /** These judges and reward functions with judge {@code index} replaced by {@code judge}, its weight kept (a refreshed judge). */
    Judging withJudge(int index, RewardFunction judge) {
        List<Compose.Weighted> js = new ArrayList<>(judges);
        js.set(index, Compose.term(judge, judges.get(index).weight()));
        return new Judging(js, functions, check, perTurn);
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

    /** Judges every rollout of the round on {@code executor}. */
    Judgments judge(Rollouts rollouts, RolloutExecutor executor) {
        return judge(rollouts, List.of(), 0, executor);
    }

    /**
     * Judges every rollout of the round and, shuffled in among them, its gold {@code probes}, on {@code executor}.
     * A probe is judged as a rollout's whole transcript is: the same judges, prompt and fencing, its task's input
     * and reference, its answer in the rollouts' transcript form; only its verdicts are kept apart afterwards.
     */
    Judgments judge(Rollouts rollouts, List<GoldItem> probes, long shuffleSeed, RolloutExecutor executor) {
        int n = rollouts.size();
        Set<String> agents = new LinkedHashSet<>();
        for (Trajectory t : rollouts.trajectories()) for (ModelCall c : t.calls()) agents.add(c.agent());
        List<JudgedItem> probeItems = new ArrayList<>();
        for (GoldItem probe : probes) probeItems.add(JudgedItem.of(probe.task(), asTranscript(probe.answer(), agents), probe.reference()));
        // Group judges first, one call per task group (and per probe, in a group of G); pointwise judges then per unit.
        Verdict[][] grouped = GroupJudging.any(judges) ? GroupJudging.judge(judges, rollouts, probeItems, shuffleSeed, executor) : null;
        List<Callable<Judged>> units = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Trajectory t = rollouts.trajectories().get(k);
            TaskRecord task = rollouts.taskOf(k);
            List<Verdict> pre = GroupJudging.row(grouped, k);
            units.add(() -> judge(t, task, pre));
        }
        for (int k = 0; k < probes.size(); k++) {
            GoldItem probe = probes.get(k);
            TaskRecord task = TaskRecord.of(probe.id(), probe.task(), probe.reference());
            String transcript = probeItems.get(k).answer();
            List<Verdict> pre = GroupJudging.row(grouped, n + k);
            units.add(() -> judgesOnly(task, transcript, pre));
        }
        // Shuffled so that probes reach the judges in among the rollouts, not as a block after them; a round
        // without probes keeps the rollouts' order, so that runs without them judge as they always did.
        Integer[] order = new Integer[units.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (!probes.isEmpty()) Collections.shuffle(Arrays.asList(order), new Random(shuffleSeed));
        List<Callable<Judged>> shuffled = new ArrayList<>();
        for (Integer i : order) shuffled.add(units.get(i));
        List<Judged> done = executor.runAll(shuffled);
        Judged[] byUnit = new Judged[units.size()];
        for (int i = 0; i < order.length; i++) byUnit[order[i]] = done.get(i);
        List<List<Verdict>> probeVerdicts = new ArrayList<>();
        for (int k = n; k < byUnit.length; k++) probeVerdicts.add(byUnit[k].judges());
        return new Judgments(Arrays.asList(byUnit).subList(0, n), !judges.isEmpty(),
                new ProbeJudgments(rollouts.round(), List.copyOf(probes), probeVerdicts));
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
     * The judges' verdicts on a transcript; no reward function, whose verdicts no probe measures. {@code pre}: the
     * group judges' verdicts already given (null where a judge is pointwise, or null altogether).
     */
    private Judged judgesOnly(TaskRecord task, String transcript, List<Verdict> pre) {
        JudgedItem item = JudgedItem.of(task.input(), transcript, task.reference());
        List<Verdict> verdicts = new ArrayList<>();
        for (int j = 0; j < judges.size(); j++) verdicts.add(verdict(j, item, pre));
        return new Judged(verdicts, List.of(), verdicts.isEmpty() ? null : verdicts.getFirst(), false, List.of());
    }

    Judged judge(Trajectory t, TaskRecord task) {
        return judge(t, task, null);
    }

    /** As {@link #judge(Trajectory, TaskRecord)}, the group judges' verdicts on the whole transcript in {@code pre}. */
    private Judged judge(Trajectory t, TaskRecord task, List<Verdict> pre) {
        int n = t.calls().size();
        Judged outcome = judge(task, Transcripts.of(t), t.output() == null ? "" : t.output(), pre);
        if (!perTurn || n == 0) return outcome;
        List<Verdict> turns = new ArrayList<>(n);
        for (int k = 0; k < n - 1; k++) {
            String said = t.calls().get(k).output();
            turns.add(judge(task, Transcripts.upTo(t, k + 1), said == null ? "" : said, null).combined());
        }
        turns.add(outcome.combined());
        return new Judged(outcome.judges(), outcome.functions(), outcome.combined(), outcome.exact(), turns);
    }

    /** The judges' and reward functions' verdicts on one transcript whose last answer is {@code finalAnswer}. */
    private Judged judge(TaskRecord task, String transcript, String finalAnswer, List<Verdict> pre) {
        JudgedItem item = JudgedItem.of(task.input(), transcript, task.reference());
        List<Verdict> judgeVerdicts = new ArrayList<>(), fnVerdicts = new ArrayList<>();
        List<Compose.Weighted> terms = new ArrayList<>(), scored = new ArrayList<>();
        double scoredFunctionWeight = 0;
        for (int k = 0; k < judges.size(); k++) {
            Compose.Weighted j = judges.get(k);
            Verdict v = verdict(k, item, pre);
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

    /** Judge {@code j}'s verdict on {@code item}: given in {@code pre} where it judged in groups, else asked now. */
    private Verdict verdict(int j, JudgedItem item, List<Verdict> pre) {
        Verdict given = pre == null ? null : pre.get(j);
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
