package dev.consilium.rewards.judge;

import dev.consilium.rewards.parse.VerdictParser;
import dev.consilium.rewards.verdict.Verdict;

/**
 * The verdict for one score on a {@link Scale} as the parser read it, shared by the judges that score (one answer
 * a call, or a group): an abstention where the reply could not be read, else the written score, or with
 * {@code weighted} the G-Eval expectation at its token ({@link LogprobScore#verdict}).
 */
final class ScaleVerdict {
    private ScaleVerdict() {}

    static Verdict of(VerdictParser.Result parsed, JudgeModel.Reply reply, Scale scale, boolean weighted, double floor) {
        return switch (parsed) {
            case VerdictParser.Failed f -> new Verdict.Abstain(f.reason(), f.detail(), reply.provenance());
            case VerdictParser.Parsed p -> weighted
                    ? LogprobScore.verdict(reply, p, scale, floor)
                    : Verdict.Score.point(p.values().getFirst(), scale.min(), scale.max(), p.rationale(), reply.provenance());
        };
    }
}
