package dev.consilium.rewards.judge;

import dev.consilium.rewards.parse.VerdictParser;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Flag;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Compares two answers to the same task. The verdict is a score on [0, 1]: the first answer is better (1),
 * the second is (0), or a tie (0.5). By default the pair is judged in both orders; a verdict that follows the
 * position rather than the answer is a tie flagged {@link Flag#ORDER_FLIP} (calibration reports the rate).
 */
public final class PairwiseJudge {

    private static final String TEXT_FORMAT = "Reason briefly, then end your reply with one final line: [[A]] if answer A "
            + "is better, [[B]] if answer B is better, [[C]] for a tie.";
    private static final String JSON_FORMAT = "Reply with a JSON object {\"rationale\": \"...\", \"winner\": \"A\" | \"B\" | \"tie\"}: "
            + "your brief reasoning first.";

    private final JudgeModel model;
    private final String rubric;
    private final PromptTemplate prompt;
    private final boolean bothOrders;
    private final JsonObjectSchema schema;

    private PairwiseJudge(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model");
        this.rubric = Objects.requireNonNull(b.rubric, "rubric");
        this.prompt = b.prompt;
        this.bothOrders = b.bothOrders;
        this.schema = JsonObjectSchema.builder().addStringProperty("rationale").addEnumProperty("winner", List.of("A", "B", "tie"))
                .required("rationale", "winner").additionalProperties(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() {
        return model.name();
    }

    /** 1 when {@code first}'s answer is better, 0 when {@code second}'s is, 0.5 for a tie; the tasks must match. */
    public Verdict compare(JudgedItem first, JudgedItem second) {
        if (!first.task().equals(second.task())) {
            throw new IllegalArgumentException("pairwise judging needs two answers to the same task, got \""
                    + first.task() + "\" and \"" + second.task() + "\"");
        }
        Verdict ab = model.guard(prompt, () -> once(first.task(), first.answer(), second.answer(), first.reference()));
        if (!bothOrders || !(ab instanceof Verdict.Score s1)) return ab;
        Verdict ba = model.guard(prompt, () -> once(first.task(), second.answer(), first.answer(), first.reference()));
        Provenance both = Provenance.combine(name(), prompt.id(), List.of(ab.provenance(), ba.provenance()));
        if (!(ba instanceof Verdict.Score s2)) {
            Verdict.Abstain a = (Verdict.Abstain) ba;
            return new Verdict.Abstain(a.reason(), "with the answers swapped: " + a.detail(), both);
        }
        double swapped = 1 - s2.value();
        if (swapped == s1.value()) {
            return Verdict.Score.point(s1.value(), 0, 1, s1.rationale(), both);
        }
        return Verdict.Score.point(0.5, 0, 1, "the verdict followed the position: first shown " + s1.value()
                + ", second shown " + swapped + " (a tie)", both.withFlags(Set.of(Flag.ORDER_FLIP)));
    }

    private Verdict once(String task, String a, String b, String reference) {
        for (String answer : List.of(a, b)) {
            String bad = model.malformed(answer);
            if (bad != null) {
                return new Verdict.Abstain(AbstainReason.MALFORMED_ANSWER, bad, new Provenance(name(), prompt.id(), "", 0, 0, 0, Set.of()));
            }
        }
        String nonce = model.nonce(prompt.id(), rubric, task, a, b, reference);
        JudgeModel.Material m = new JudgeModel.Material(nonce).put("rubric", rubric).fence("task", "task", task)
                .fence("answer_a", "answer_a", a).fence("answer_b", "answer_b", b).reference(reference);
        JudgeModel.Reply reply = model.ask(prompt, m, TEXT_FORMAT, JSON_FORMAT, schema);
        return switch (VerdictParser.choice(reply.text(), nonce)) {
            case VerdictParser.Failed f -> new Verdict.Abstain(f.reason(), f.detail(), reply.provenance());
            case VerdictParser.Parsed p -> {
                VerdictParser.Choice c = VerdictParser.Choice.values()[p.values().getFirst()];
                double value = switch (c) {
                    case A -> 1;
                    case B -> 0;
                    case TIE -> 0.5;
                };
                yield Verdict.Score.point(value, 0, 1, p.rationale(), reply.provenance());
            }
        };
    }

    public static final class Builder extends JudgeBuilder<Builder> {
        private boolean bothOrders = true;

        private Builder() {
            super(Prompts.PAIRWISE);
        }

        /** Judge each pair in both orders (default true); false halves the cost and loses the position check. */
        public Builder bothOrders(boolean bothOrders) {
            this.bothOrders = bothOrders;
            return this;
        }

        public PairwiseJudge build() {
            return new PairwiseJudge(this);
        }
    }
}
