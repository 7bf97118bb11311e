package dev.consilium.rewards.function;

import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Ways to combine reward functions (judges included) into one. */
public final class Compose {
    private Compose() {}

    /** One term of a weighted sum; a negative weight makes a penalty. */
    public record Weighted(RewardFunction function, double weight) {}

    public static Weighted term(RewardFunction function, double weight) {
        return new Weighted(function, weight);
    }

    /**
     * {@code sum(w_i * normalized_i)} on [sum of negative weights, sum of positive weights]. If any term abstains
     * the sum abstains with that term's reason: a missing part is not a zero part.
     */
    public static RewardFunction weightedSum(List<Weighted> terms) {
        List<Weighted> ts = List.copyOf(terms);
        String name = ts.stream().map(t -> t.weight() + "*" + t.function().name()).collect(Collectors.joining(" + ", "sum(", ")"));
        return new Named(name) {
            @Override
            public Verdict evaluate(JudgedItem item) {
                double value = 0, lo = 0, hi = 0;
                List<Provenance> parts = new ArrayList<>();
                StringBuilder why = new StringBuilder();
                for (Weighted t : ts) {
                    Verdict v = t.function().evaluate(item);
                    parts.add(v.provenance());
                    if (v instanceof Verdict.Abstain a) {
                        return new Verdict.Abstain(a.reason(), t.function().name() + " abstained: " + a.detail(), combine(parts));
                    }
                    double n = ((Verdict.Score) v).normalized();
                    value += t.weight() * n;
                    lo += Math.min(0, t.weight());
                    hi += Math.max(0, t.weight());
                    why.append(why.isEmpty() ? "" : "; ").append(t.function().name()).append(" = ").append(n);
                }
                return Verdict.Score.point(Math.clamp(value, lo, hi), lo, hi, why.toString(), combine(parts));
            }
        };
    }

    /**
     * Every gate must score its maximum before {@code then} counts (format before correctness); a failed gate
     * scores 0 on [0, 1] naming the gate, an abstaining gate abstains.
     */
    public static RewardFunction allMustPass(List<RewardFunction> gates, RewardFunction then) {
        List<RewardFunction> gs = List.copyOf(gates);
        String name = gs.stream().map(RewardFunction::name).collect(Collectors.joining(" & ", "gate(", ") -> " + then.name()));
        return new Named(name) {
            @Override
            public Verdict evaluate(JudgedItem item) {
                List<Provenance> parts = new ArrayList<>();
                for (RewardFunction g : gs) {
                    Verdict v = g.evaluate(item);
                    parts.add(v.provenance());
                    if (v instanceof Verdict.Abstain a) {
                        return new Verdict.Abstain(a.reason(), "gate " + g.name() + " abstained: " + a.detail(), combine(parts));
                    }
                    Verdict.Score s = (Verdict.Score) v;
                    if (s.normalized() < 1) {
                        return Verdict.Score.point(0, 0, 1, "gate " + g.name() + " failed: " + s.rationale(), combine(parts));
                    }
                }
                return then.evaluate(item);
            }
        };
    }

    /**
     * The first function that decides: verifiable checks first, an LLM judge last, called only where they
     * abstain as {@link AbstainReason#UNDECIDABLE}. Any other abstention is the answer (a judge timeout is not
     * a reason to ask the next one silently).
     */
    public static RewardFunction firstDecided(List<RewardFunction> functions) {
        List<RewardFunction> fs = List.copyOf(functions);
        if (fs.isEmpty()) throw new IllegalArgumentException("firstDecided needs at least one function");
        String name = fs.stream().map(RewardFunction::name).collect(Collectors.joining(" | ", "first(", ")"));
        return new Named(name) {
            @Override
            public Verdict evaluate(JudgedItem item) {
                Verdict v = null;
                for (RewardFunction f : fs) {
                    v = f.evaluate(item);
                    if (!(v instanceof Verdict.Abstain a) || a.reason() != AbstainReason.UNDECIDABLE) return v;
                }
                return v;
            }
        };
    }

    private abstract static class Named implements RewardFunction {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }

        /** The parts' tokens, cost and flags under this composition's name. */
        Provenance combine(List<Provenance> parts) {
            return Provenance.combine(name, "", parts);
        }
    }
}
