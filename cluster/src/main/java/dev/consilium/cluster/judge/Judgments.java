package dev.consilium.cluster.judge;

import dev.consilium.runtime.seam.SecretEnv;
import dev.consilium.runtime.seam.UnitExecutor;
import dev.consilium.runtime.seam.UnitFunction;
import dev.consilium.runtime.seam.VerdictJson;
import dev.consilium.runtime.seam.WorkUnit;
import dev.consilium.rewards.judge.Judge;
import dev.consilium.rewards.verdict.Verdict;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Judging as units: (judge spec, item) to verdict, on any {@link UnitExecutor}. */
public final class Judgments {

    /** One unit: the worker's judge evaluates the item; the verdict travels back as JSON. */
    public static final UnitFunction<Judge, JudgeItem, String> EVALUATE =
            (judge, unit) -> VerdictJson.write(judge.evaluate(unit.payload().toJudged()));

    private Judgments() {}

    /** Every item's verdict by unit id, in the units' order. */
    public static Map<String, Verdict> judge(UnitExecutor executor, JudgeSpec spec, SecretEnv secrets,
                                             List<WorkUnit<JudgeItem>> items) {
        Map<String, Verdict> out = new LinkedHashMap<>();
        executor.runAll(spec, secrets, items, EVALUATE).forEach((id, json) -> out.put(id, VerdictJson.read(json)));
        return out;
    }
}
