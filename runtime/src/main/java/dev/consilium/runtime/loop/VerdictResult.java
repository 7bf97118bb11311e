package dev.consilium.runtime.loop;

import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.seam.VerdictJson;

import java.io.Serial;

/** A unit's verdict: the value itself in the driver's JVM, {@link VerdictJson} when it travels back from an executor. */
final class VerdictResult extends JsonResult<Verdict> {
    @Serial
    private static final long serialVersionUID = 1L;

    VerdictResult(Verdict verdict) {
        super(verdict);
    }

    Verdict verdict() {
        return value();
    }

    @Override
    String write(Verdict v) {
        return VerdictJson.write(v);
    }

    @Override
    Verdict read(String json) {
        return VerdictJson.read(json);
    }
}
