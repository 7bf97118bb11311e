package dev.consilium.runtime.loop;

import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;

/** A trajectory as a judge reads it: one {@code agent: answer} line per model call, in order. */
public final class Transcripts {
    private Transcripts() {}

    public static String of(Trajectory t) {
        return upTo(t, t.calls().size());
    }

    /** The transcript of the first {@code turns} model calls: what had been said when that turn ended. */
    public static String upTo(Trajectory t, int turns) {
        StringBuilder out = new StringBuilder();
        for (ModelCall c : t.calls().subList(0, turns)) {
            if (out.length() > 0) out.append('\n');
            out.append(line(c.agent(), c.output() == null ? "" : c.output()));
        }
        return out.toString();
    }

    /** One turn as a judge reads it in a transcript. */
    public static String line(String agent, String text) {
        return agent + ": " + text.strip();
    }
}
