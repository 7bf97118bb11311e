package dev.consilium.runtime.loop;

import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.loop.Judging.Judged;

import java.util.List;

/** A round's verdicts, one {@link Judged} per rollout in the rollouts' order, and those on its gold probes. */
record Judgments(List<Judged> judged, boolean hasJudges, ProbeJudgments probes) {

    List<Judged> group(int t, int g) {
        return judged.subList(t * g, (t + 1) * g);
    }

    /** Share of rollouts where the first judge's verdict (score >= 0.5) agrees with the answer check; NaN if none. */
    double agreement() {
        int n = 0, agree = 0;
        for (Judged j : judged) {
            if (j.judges().isEmpty() || !(j.judges().getFirst() instanceof Verdict.Score s)) continue;
            n++;
            if ((s.normalized() >= 0.5) == j.exact()) agree++;
        }
        return n == 0 ? Double.NaN : (double) agree / n;
    }

    /** Share of the rollouts the first judge scored that it passed (score >= 0.5); NaN if none. */
    double passRate() {
        int n = 0, passed = 0;
        for (Judged j : judged) {
            if (j.judges().isEmpty() || !(j.judges().getFirst() instanceof Verdict.Score s)) continue;
            n++;
            if (s.normalized() >= 0.5) passed++;
        }
        return n == 0 ? Double.NaN : (double) passed / n;
    }

    /** Share of rollouts whose final answer the answer check accepts: the truth beside the training reward. */
    double trueAccuracy() {
        if (judged.isEmpty()) return Double.NaN;
        int right = 0;
        for (Judged j : judged) if (j.exact()) right++;
        return (double) right / judged.size();
    }

    /**
     * Why every judge verdict of the round abstained, from the first one (a judge whose prompt is longer than
     * its model's context abstains on every transcript); null when any judge scored or there is no judge.
     */
    String allAbstained() {
        if (!hasJudges || judged.isEmpty()) return null;
        for (Judged j : judged) for (Verdict v : j.judges()) if (v instanceof Verdict.Score) return null;
        Verdict.Abstain first = (Verdict.Abstain) judged.getFirst().judges().getFirst();
        return "every judge verdict of the round abstained; the first, from " + first.provenance().judge() + ": "
                + first.reason() + (first.detail() == null || first.detail().isBlank() ? "" : " (" + first.detail().strip() + ")");
    }

    /** What the judges' calls cost, in US dollars. */
    double costUsd() {
        double c = 0;
        for (Judged j : judged) for (Verdict v : j.judges()) c += v.provenance().costUsd();
        return c;
    }
}
