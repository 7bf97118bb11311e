package dev.consilium.runtime.loop;

import dev.consilium.rewards.calibration.GoldItem;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Gold-labelled items (known truth) mixed into every round's judging, {@code perRound} of them, drawn afresh each
 * round from {@code gold}'s pointwise items. The judge reads them exactly as it reads rollouts, so its agreement
 * on them measures the judge the policy is being trained against, round by round, while the policy moves.
 */
public record GoldProbes(List<GoldItem> gold, int perRound) {

    public GoldProbes {
        Objects.requireNonNull(gold, "gold");
        // Pairwise items compare two answers; a round's judging is pointwise, so only pointwise items can ride along.
        gold = gold.stream().filter(g -> !g.isPairwise()).toList();
        if (gold.isEmpty()) throw new IllegalArgumentException("\"probes.gold\": holds no pointwise gold items");
        if (perRound < 1) throw new IllegalArgumentException("\"probes.per_round\" must be >= 1, was " + perRound);
    }

    /** The probes of round {@code round}: distinct items while the gold set lasts, reproducible from the seed. */
    List<GoldItem> forRound(Seeds seeds, int round) {
        List<GoldItem> out = new ArrayList<>();
        // Offset from the rounds' task draws, so that probes and tasks are not drawn by the same random sequence.
        while (out.size() < perRound) out.addAll(seeds.sample(gold, perRound - out.size(), -round - 1_000 * (out.size() + 1)));
        return out;
    }

    /**
     * {@code gold} split in two by task, for a run that both probes its judge and refreshes it from one gold set: the
     * items whose task's CRC-32 is even measure the judge (probes), the others train it, so no question the judge is
     * measured on is one it was refreshed on. The split depends on the task's text alone, the same in every run.
     */
    public static List<List<GoldItem>> splitByTask(List<GoldItem> gold) {
        List<GoldItem> probes = new ArrayList<>(), training = new ArrayList<>();
        for (GoldItem g : gold) {
            CRC32 crc = new CRC32();
            crc.update(g.task().getBytes(StandardCharsets.UTF_8));
            (crc.getValue() % 2 == 0 ? probes : training).add(g);
        }
        return List.of(probes, training);
    }

    /** Whether the gold item says its answer is right (label 0.5 or more, the same cut as a judge's score). */
    static boolean right(GoldItem item) {
        return item.label() >= 0.5;
    }

    /** The item's kind for per-kind agreement: what it probes, or {@code pointwise} when it names nothing more. */
    static String kind(GoldItem item) {
        return item.kind() == null ? GoldItem.POINTWISE : item.kind();
    }
}
