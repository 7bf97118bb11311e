package dev.consilium.runtime.loop;

import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.runtime.demo.ArithmeticJudge;

/** A trajectory as a judge reads it: one {@code agent: answer} line per model call, in order. */
final class Transcripts {
    private Transcripts() {}

    static String of(Trajectory t) {
        return upTo(t, t.calls().size());
    }

    /** The transcript of the first {@code turns} model calls: what had been said when that turn ended. */
    static String upTo(Trajectory t, int turns) {
        StringBuilder out = new StringBuilder();
        for (ModelCall c : t.calls().subList(0, turns)) {
            if (out.length() > 0) out.append('\n');
            out.append(ArithmeticJudge.line(c.agent(), c.output() == null ? "" : c.output()));
        }
        return out.toString();
    }
}
