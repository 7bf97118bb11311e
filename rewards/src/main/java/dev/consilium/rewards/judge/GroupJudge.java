package dev.consilium.rewards.judge;

import dev.consilium.rewards.parse.VerdictParser;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Flag;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Scores a group of G answers to one task in a single call, each on the scale, the way relative LLM-judge rewards
 * for GRPO read a whole group at once: the judge sees the answers side by side, and the trainer normalizes the
 * scores within the group. Each answer gets its own verdict:
 * <ul>
 *   <li>an answer that cannot be judged (empty, too long) abstains {@code MALFORMED_ANSWER} and is not shown;</li>
 *   <li>an answer the judge left unscored, scored off the scale, or scored twice differently abstains alone, while
 *       the others keep their scores;</li>
 *   <li>only a call that fails (timeout, error, budget) or an output that cannot be lined up with the answers
 *       makes every verdict abstain.</li>
 * </ul>
 * Any {@link JudgeModel} serves, an API model or the built-in one. With {@link Builder#probabilityWeighted()} each
 * score is the G-Eval expectation at its own score token, where the reply carries logprobs (the built-in model's
 * always does) and its line is plain text. A verdict's tokens and cost are its share of the one call, so summing
 * over the group gives the call's.
 * <pre>{@code
 * GroupJudge judge = GroupJudge.builder().model(judgeModel).rubric("The answer states the correct sum.")
 *         .scale(Scale.ONE_TO_FIVE).build();
 * List<Verdict> verdicts = judge.evaluate("What is 17 + 25?", List.of("42", "41", "forty-two"), "42");
 * }</pre>
 */
public final class GroupJudge {

    private static final String TEXT_FORMAT = "Reason briefly about each candidate, then end your reply with one line per "
            + "candidate, in order, of the form \"Candidate K: Score: N\", where N is %s.";
    private static final String JSON_FORMAT = "Reply with a JSON object {\"rationale\": \"...\", \"scores\": [N1, N2, ...]}: "
            + "your brief reasoning first, then one score per candidate in the order shown, each %s.";

    private final JudgeModel model;
    private final String rubric;
    private final Scale scale;
    private final PromptTemplate prompt;
    private final boolean weighted;
    private final int topLogprobs;
    private final double minScaleProbability;
    private final JsonObjectSchema schema;

    private GroupJudge(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model");
        this.rubric = Objects.requireNonNull(b.rubric, "rubric");
        this.scale = b.scale;
        this.prompt = b.prompt;
        this.weighted = b.weighted;
        this.topLogprobs = b.topLogprobs;
        this.minScaleProbability = b.minScaleProbability;
        this.schema = JsonObjectSchema.builder().addStringProperty("rationale")
                .addProperty("scores", JsonArraySchema.builder().items(new JsonIntegerSchema()).build())
                .required("rationale", "scores").additionalProperties(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() {
        return model.name();
    }

    public Scale scale() {
        return scale;
    }

    /** One verdict per item, in order; the items are answers to one task with one reference. */
    public List<Verdict> evaluate(List<JudgedItem> group) {
        if (group.isEmpty()) return List.of();
        JudgedItem first = group.getFirst();
        for (JudgedItem item : group) {
            if (!item.task().equals(first.task()) || !Objects.equals(item.reference(), first.reference())) {
                throw new IllegalArgumentException("group judging needs answers to one task with one reference, got \""
                        + first.task() + "\" and \"" + item.task() + "\"");
            }
        }
        return evaluate(first.task(), group.stream().map(JudgedItem::answer).toList(), first.reference());
    }

    /** One verdict per answer to {@code task}, in the answers' order; {@code reference} may be null. */
    public List<Verdict> evaluate(String task, List<String> answers, String reference) {
        Verdict[] out = new Verdict[answers.size()];
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            String bad = model.malformed(answers.get(i));
            if (bad == null) shown.add(i);
            else out[i] = new Verdict.Abstain(AbstainReason.MALFORMED_ANSWER, bad, new Provenance(name(), prompt.id(), "", 0, 0, 0, Set.of()));
        }
        if (!shown.isEmpty()) {
            List<Verdict> scored = scoreShown(task, shown.stream().map(answers::get).toList(), reference);
            for (int j = 0; j < shown.size(); j++) out[shown.get(j)] = scored.get(j);
        }
        return Arrays.asList(out);
    }

    private List<Verdict> scoreShown(String task, List<String> answers, String reference) {
        int g = answers.size();
        String nonce = model.nonce(prompt.id(), rubric, scale, task, answers, reference);
        List<Verdict> result = new ArrayList<>(g);
        Verdict failed = model.guard(prompt, () -> {
            JudgeModel.Material m = new JudgeModel.Material(nonce).put("rubric", rubric).put("scale", scale.description())
                    .fence("task", "task", task).reference(reference);
            Set<Flag> shared = EnumSet.noneOf(Flag.class);
            shared.addAll(m.flags);
            List<Set<Flag>> own = m.candidates(answers);
            JudgeModel.Reply reply = model.ask(prompt, m, TEXT_FORMAT.formatted(scale.description()),
                    JSON_FORMAT.formatted(scale.description()), schema,
                    weighted ? new JudgeModel.Call(topLogprobs, null) : JudgeModel.Call.PLAIN);
            List<VerdictParser.Result> parsed = VerdictParser.scores(reply.text(), g, scale.min(), scale.max(), nonce);
            for (int k = 0; k < g; k++) {
                EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
                flags.addAll(shared);
                flags.addAll(own.get(k));
                JudgeModel.Reply mine = new JudgeModel.Reply(reply.text(), reply.response(), share(reply.provenance(), k, g, flags));
                result.add(ScaleVerdict.of(parsed.get(k), mine, scale, weighted, minScaleProbability));
            }
            return null;
        });
        if (failed != null) return java.util.Collections.nCopies(g, failed);
        return result;
    }

    /** Verdict {@code k} of {@code n}'s share of one call: tokens split as evenly as integers allow, cost by n. */
    private static Provenance share(Provenance p, int k, int n, Set<Flag> flags) {
        long in = p.inputTokens() / n + (k < p.inputTokens() % n ? 1 : 0);
        long out = p.outputTokens() / n + (k < p.outputTokens() % n ? 1 : 0);
        return new Provenance(p.judge(), p.prompt(), p.rawOutput(), in, out, p.costUsd() / n, flags);
    }

    public static final class Builder extends ScaleJudgeBuilder<Builder> {
        private boolean weighted;

        private Builder() {
            super(Prompts.GROUP);
        }

        /**
         * Each score as the expectation over the scale at its own score token, asking for logprobs; where a reply has
         * none, the written score stands (a group is not resampled: one more call per group, not per answer, would
         * not estimate each answer's distribution any better).
         */
        public Builder probabilityWeighted() {
            this.weighted = true;
            return this;
        }

        public GroupJudge build() {
            return new GroupJudge(this);
        }
    }
}
