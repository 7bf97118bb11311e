package dev.consilium.runtime.datasets;

import dev.consilium.rewards.calibration.GoldItem;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;
import dev.consilium.runtime.datasets.JudgeCases.Case;
import dev.consilium.runtime.datasets.JudgeCases.Kind;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Gold sets for judge calibration, labelled by construction from fresh arithmetic problems (never a question of
 * {@code exclude}, the held-out split): {@code perKind} pointwise transcripts of each {@link JudgeCases.Kind} (right
 * and wrong answers worded from a bare number to a worked paragraph, near misses, revisers that break or fix,
 * hedged and missing answers), each on its own problem, and {@code perKind} pairs of a right and a wrong answer in
 * random order (label 1 when A is the right one). Wording is drawn independently of the label, so any slope of
 * score on length is the judge's bias, not the data's. The same seed gives the same items.
 */
public final class JudgeGoldDataset {
    private JudgeGoldDataset() {}

    public static List<GoldItem> arithmetic(long seed, int perKind, List<Problem> exclude) {
        Random rng = new Random(seed);
        Set<String> used = new HashSet<>();
        for (Problem p : exclude) used.add(p.question());
        List<List<GoldItem>> byKind = new ArrayList<>();
        int n = 0;
        for (Kind kind : JudgeCases.kinds()) {
            List<GoldItem> ofKind = new ArrayList<>();
            for (int i = 0; i < perKind; ) {
                Problem p = fresh(rng, used);
                if (!JudgeCases.applies(kind, p)) continue;
                Case c = JudgeCases.of(kind, p, rng);
                ofKind.add(GoldItem.pointwise(String.format("judge-%04d-%s", n++, kind.id), kind.id, p.question(),
                        c.transcript(), p.answer(), c.label()));
                i++;
            }
            byKind.add(ofKind);
        }
        // written a round of every kind at a time, so the first items of the file (a --limit) hold every kind
        List<GoldItem> items = new ArrayList<>();
        for (int i = 0; i < perKind; i++) for (List<GoldItem> ofKind : byKind) items.add(ofKind.get(i));
        for (int i = 0; i < perKind; i++) {
            Problem p = fresh(rng, used);
            String good = JudgeCases.phrase(p.question(), p.answer(), rng);
            String bad = JudgeCases.phrase(p.question(), JudgeCases.nearMiss(p.answer(), rng), rng);
            boolean goodFirst = rng.nextBoolean();
            items.add(GoldItem.pairwise(String.format("judge-%04d-pair", n++), p.question(), goodFirst ? good : bad,
                    goodFirst ? bad : good, p.answer(), goodFirst ? 1 : 0));
        }
        return items;
    }

    /** A problem whose question no item has used yet and {@code exclude} does not hold. */
    private static Problem fresh(Random rng, Set<String> used) {
        while (true) {
            Problem p = ArithmeticDataset.draw(rng, "");
            if (used.add(p.question())) return p;
        }
    }
}
