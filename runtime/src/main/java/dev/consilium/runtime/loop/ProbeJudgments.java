package dev.consilium.runtime.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.rewards.verdict.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A round's gold probes and the judges' verdicts on them (one list per probe, one verdict per judge). As with
 * {@code judge_agreement}, the first judge is the one measured: its score of 0.5 or more says "right", and it
 * agrees where the gold label says the same. Abstentions are not agreements; they are counted apart.
 */
record ProbeJudgments(int round, List<GoldItem> items, List<List<Verdict>> verdicts) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ProbeJudgments none(int round) {
        return new ProbeJudgments(round, List.of(), List.of());
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    /** The first judge's verdict on probe {@code k}, or null when there is no judge. */
    private Verdict first(int k) {
        return verdicts.get(k).isEmpty() ? null : verdicts.get(k).getFirst();
    }

    /** Null where the first judge abstained (or there is none); else whether it agreed with the gold label. */
    private Boolean agrees(int k) {
        if (!(first(k) instanceof Verdict.Score s)) return null;
        return (s.normalized() >= 0.5) == GoldProbes.right(items.get(k));
    }

    /** Share of scored probes the first judge got right; NaN when it scored none. */
    double agreement() {
        return agreement(null);
    }

    /** As {@link #agreement()}, over probes of {@code kind} only (null: all of them). */
    private double agreement(String kind) {
        int n = 0, agree = 0;
        for (int k = 0; k < items.size(); k++) {
            if (kind != null && !kind.equals(GoldProbes.kind(items.get(k)))) continue;
            Boolean a = agrees(k);
            if (a == null) continue;
            n++;
            if (a) agree++;
        }
        return n == 0 ? Double.NaN : (double) agree / n;
    }

    /** The share of probes whose first verdict abstained. */
    double abstainRate() {
        int abstained = 0;
        for (int k = 0; k < items.size(); k++) if (!(first(k) instanceof Verdict.Score)) abstained++;
        return items.isEmpty() ? Double.NaN : (double) abstained / items.size();
    }

    /**
     * The share of rollouts truly right that a judge passing a {@code passRate} share of them implies, given how it
     * passes right and wrong probes (true- and false-positive rates): (pass - fpr) / (tpr - fpr), clipped to [0, 1].
     * NaN where the probes cannot tell: no scored right or wrong probe, or a judge that passes wrong answers as
     * often as right ones, whose verdicts then say nothing about the truth.
     */
    double estimatedAccuracy(double passRate) {
        int right = 0, wrong = 0, passedRight = 0, passedWrong = 0;
        for (int k = 0; k < items.size(); k++) {
            if (!(first(k) instanceof Verdict.Score s)) continue;
            boolean passed = s.normalized() >= 0.5;
            if (GoldProbes.right(items.get(k))) { right++; if (passed) passedRight++; }
            else { wrong++; if (passed) passedWrong++; }
        }
        if (right == 0 || wrong == 0 || Double.isNaN(passRate)) return Double.NaN;
        double tpr = (double) passedRight / right, fpr = (double) passedWrong / wrong;
        if (tpr - fpr < 0.05) return Double.NaN;
        return Math.clamp((passRate - fpr) / (tpr - fpr), 0.0, 1.0);
    }

    /** Agreement per kind, kinds in order; kinds whose every probe abstained are left out. */
    Map<String, Double> agreementByKind() {
        Map<String, Double> out = new TreeMap<>();
        for (GoldItem item : items) {
            String kind = GoldProbes.kind(item);
            if (out.containsKey(kind)) continue;
            double a = agreement(kind);
            if (!Double.isNaN(a)) out.put(kind, a);
        }
        return out;
    }

    /** probes.jsonl: one record per probe, what it was, what each judge said, and whether the first agreed. */
    List<ObjectNode> records() {
        List<ObjectNode> out = new ArrayList<>();
        for (int k = 0; k < items.size(); k++) {
            GoldItem item = items.get(k);
            ObjectNode o = JSON.createObjectNode().put("id", RunDirectory.roundId(round) + "/" + k + "/" + item.id())
                    .put("round", round).put("gold_id", item.id()).put("kind", GoldProbes.kind(item)).put("label", item.label());
            Boolean a = agrees(k);
            if (a == null) o.putNull("agrees"); else o.put("agrees", a);
            ArrayNode js = o.putArray("judges");
            for (Verdict v : verdicts.get(k)) js.add(Judging.verdictJson(v));
            out.add(o);
        }
        return out;
    }

    /** The round's probe fields of metrics.jsonl; none when the round had no probes. */
    void addTo(ObjectNode m) {
        if (isEmpty()) return;
        m.put("probes", items.size());
        double a = agreement();
        if (!Double.isNaN(a)) m.put("probe_agreement", a);
        m.put("probe_abstain_rate", abstainRate());
        ObjectNode byKind = m.putObject("probe_agreement_by_kind");
        agreementByKind().forEach(byKind::put);
    }
}
