package dev.consilium.runtime.loop;

import dev.consilium.rewards.function.Compose;
import dev.consilium.rewards.function.RewardFunction;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.seam.WorkUnit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A round's group judges ({@link GroupJudgeFunction}) at work, before its pointwise judging: one call (a unit) per group
 * judge and task group, the task's G transcripts side by side, each getting its own verdict (one the judge left unscored
 * abstains alone). A gold probe is judged as a rollout is, in a group of G: the probe's transcript among the next
 * G - 1 probes' transcripts of the round (their answers, under the probe's task and reference), at a seeded position;
 * only the probe's own verdict is kept, since the others' truth is not that of their gold items. So probe agreement
 * measures the judge as it is used: the same group size, prompt and transcript form, beside other answers.
 */
final class GroupJudging {
    private GroupJudging() {}

    static boolean any(List<Compose.Weighted> judges) {
        for (Compose.Weighted j : judges) if (j.function() instanceof GroupJudgeFunction) return true;
        return false;
    }

    /**
     * The group judges' verdicts: {@code [unit][judge]}, units being the rollouts in order, then the probes
     * ({@code probeItems}, each with its task, transcript and reference); null where judge is pointwise. Each call
     * (judge, group) is one unit, {@code ask} giving back each unit's verdicts by unit id, the probes' groups in
     * among the rollouts' groups in a seeded order.
     */
    static Verdict[][] judge(List<Compose.Weighted> judges, Rollouts rollouts, List<JudgedItem> probeItems, long seed,
                             Function<List<WorkUnit<JudgePanel.Group>>, Map<String, VerdictsResult>> ask) {
        int n = rollouts.size(), g = rollouts.groupSize(), p = probeItems.size();
        Verdict[][] out = new Verdict[n + p][judges.size()];
        record Call(WorkUnit<JudgePanel.Group> unit, Consumer<List<Verdict>> fill) {}
        List<Call> calls = new ArrayList<>();
        Random rng = new Random(seed);
        for (int j = 0; j < judges.size(); j++) {
            if (!(judges.get(j).function() instanceof GroupJudgeFunction)) continue;
            int jj = j;
            for (int t = 0; t < rollouts.tasks().size(); t++) {
                TaskRecord task = rollouts.tasks().get(t);
                List<JudgedItem> items = rollouts.group(t).stream()
                        .map(r -> JudgedItem.of(task.input(), Transcripts.of(r), task.reference())).toList();
                int first = t * g;
                calls.add(new Call(WorkUnit.of("group/" + j + "/" + t, JudgePanel.Group.of(j, items)),
                        vs -> { for (int i = 0; i < g; i++) out[first + i][jj] = vs.get(i); }));
            }
            for (int k = 0; k < p; k++) {
                int at = rng.nextInt(g), unit = n + k;
                // Only the probe's own verdict is kept: the others' truth is not that of their gold items.
                calls.add(new Call(WorkUnit.of("probe/" + j + "/" + k, JudgePanel.Group.of(j, probeGroup(probeItems, k, g, at))),
                        vs -> out[unit][jj] = vs.get(at)));
            }
        }
        // Probes' groups in among the rollouts' groups, as pointwise probes are in among the rollouts.
        if (p > 0) Collections.shuffle(calls, rng);
        Map<String, VerdictsResult> done = ask.apply(calls.stream().map(Call::unit).toList());
        for (Call c : calls) c.fill().accept(done.get(c.unit().id()).verdicts());
        return out;
    }

    /**
     * Probe {@code k}'s group of {@code g}: the next {@code g - 1} probes' answers (cyclically) under its task and
     * reference, and the probe itself at index {@code at}.
     */
    static List<JudgedItem> probeGroup(List<JudgedItem> probes, int k, int g, int at) {
        JudgedItem probe = probes.get(k);
        List<JudgedItem> items = new ArrayList<>();
        for (int c = 1; c < g; c++) items.add(JudgedItem.of(probe.task(), probes.get((k + c) % probes.size()).answer(), probe.reference()));
        items.add(at, probe);
        return items;
    }

    /**
     * {@code judge}'s verdict on each of {@code items} as the loop's probes get theirs: a pointwise judge's on the item
     * alone, a group judge's on the item in its group of {@code g} ({@link #probeGroup}, positions from {@code seed}).
     */
    static List<Verdict> asProbes(RewardFunction judge, List<JudgedItem> items, int g, long seed, RolloutExecutor executor) {
        Random rng = new Random(seed);
        List<Callable<Verdict>> units = new ArrayList<>();
        for (int k = 0; k < items.size(); k++) {
            JudgedItem item = items.get(k);
            if (judge instanceof GroupJudgeFunction group) {
                int at = rng.nextInt(g);
                List<JudgedItem> members = probeGroup(items, k, g, at);
                units.add(() -> group.group().evaluate(members).get(at));
            } else {
                units.add(() -> judge.evaluate(item));
            }
        }
        return executor.runAll(units);
    }

    /** Row {@code unit} of {@link #judge}'s verdicts, or none where there is no group judge. */
    static List<Verdict> row(Verdict[][] verdicts, int unit) {
        return verdicts == null ? null : Arrays.asList(verdicts[unit]);
    }
}
