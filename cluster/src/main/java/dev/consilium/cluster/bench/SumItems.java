package dev.consilium.cluster.bench;

import dev.consilium.cluster.judge.JudgeItem;
import dev.consilium.runtime.seam.WorkUnit;

import java.util.ArrayList;
import java.util.List;

/** Judging work for benches and tests: sums, every third answer off by one, each with its reference. */
public final class SumItems {
    private SumItems() {}

    public static List<WorkUnit<JudgeItem>> of(int n) {
        List<WorkUnit<JudgeItem>> units = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            units.add(WorkUnit.of("item-" + i, new JudgeItem("What is " + i + " + " + (2 * i) + "?",
                    Integer.toString(3 * i + (i % 3 == 0 ? 1 : 0)), Integer.toString(3 * i))));
        }
        return units;
    }
}
