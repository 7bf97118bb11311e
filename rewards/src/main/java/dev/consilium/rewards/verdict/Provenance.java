package dev.consilium.rewards.verdict;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a verdict came from: the judge (a model ref, or a reward function's name), the prompt template's
 * {@code name@version}, the judge's raw output (empty for reward functions), the tokens it spent, its cost in
 * USD (0 when unpriced), and flags raised on the way.
 */
public record Provenance(String judge, String prompt, String rawOutput, long inputTokens, long outputTokens,
                         double costUsd, Set<Flag> flags) {

    public Provenance {
        rawOutput = rawOutput == null ? "" : rawOutput;
        prompt = prompt == null ? "" : prompt;
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
    }

    /** A reward function's provenance: a name, no model, no cost. */
    public static Provenance function(String name) {
        return new Provenance(name, "", "", 0, 0, 0, Set.of());
    }

    public Provenance withFlags(Set<Flag> more) {
        if (more.isEmpty()) return this;
        EnumSet<Flag> all = EnumSet.noneOf(Flag.class);
        all.addAll(flags);
        all.addAll(more);
        return new Provenance(judge, prompt, rawOutput, inputTokens, outputTokens, costUsd, all);
    }

    /** The sum of several calls' provenance (samples, both orders, panel members): tokens, cost and flags add up. */
    public static Provenance combine(String judge, String prompt, Iterable<Provenance> parts) {
        long in = 0, out = 0;
        double cost = 0;
        EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
        StringBuilder raw = new StringBuilder();
        for (Provenance p : parts) {
            in += p.inputTokens;
            out += p.outputTokens;
            cost += p.costUsd;
            flags.addAll(p.flags);
            if (!p.rawOutput.isEmpty()) {
                if (!raw.isEmpty()) raw.append("\n---\n");
                raw.append(p.rawOutput);
            }
        }
        return new Provenance(judge, prompt, raw.toString(), in, out, cost, flags);
    }
}
