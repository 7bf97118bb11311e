package dev.consilium.runtime.loop;

import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.loop.Judging.Judged;

import java.util.List;

/** A round's verdicts, one {@link Judged} per rollout in the rollouts' order. */
record Judgments(List<Judged> judged, boolean hasJudges) {

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
