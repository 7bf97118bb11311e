package dev.consilium.rewards.judge;

import dev.consilium.rewards.parse.VerdictParser;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Ranks a group of answers to one task in a single call, as GRPO groups want. Each answer's verdict is its rank
 * as a score on [0, 1]: the best 1, the worst 0, evenly spaced between. An answer that cannot be judged (empty,
 * too long) abstains and the rest are ranked among themselves; an unusable ranking makes every verdict abstain.
 */
public final class RankingJudge {

    private static final String TEXT_FORMAT = "Reason briefly, then end your reply with one final line of the form "
            + "\"Ranking: 3 > 1 > 2\" naming every candidate number exactly once, best first.";
    private static final String JSON_FORMAT = "Reply with a JSON object {\"rationale\": \"...\", \"ranking\": [3, 1, 2]}: "
            + "your brief reasoning first, then every candidate number exactly once, best first.";

    private final JudgeModel model;
    private final String rubric;
    private final PromptTemplate prompt;
    private final JsonObjectSchema schema;

    private RankingJudge(JudgeModel model, String rubric, PromptTemplate prompt) {
        this.model = Objects.requireNonNull(model, "model");
        this.rubric = Objects.requireNonNull(rubric, "rubric");
        this.prompt = Objects.requireNonNull(prompt, "prompt");
        this.schema = JsonObjectSchema.builder().addStringProperty("rationale")
                .addProperty("ranking", JsonArraySchema.builder().items(new JsonIntegerSchema()).build())
                .required("rationale", "ranking").additionalProperties(false).build();
    }

    /** A ranking judge with {@link Prompts#RANKING}. */
    public static RankingJudge of(JudgeModel model, String rubric) {
        return new RankingJudge(model, rubric, Prompts.RANKING);
    }

    public RankingJudge withPrompt(PromptTemplate other) {
        return new RankingJudge(model, rubric, other);
    }

    /** One verdict per answer, in the answers' order. */
    public List<Verdict> rank(String task, List<String> answers, String reference) {
        Verdict[] out = new Verdict[answers.size()];
        List<Integer> valid = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            String bad = model.malformed(answers.get(i));
            if (bad == null) valid.add(i);
            else out[i] = new Verdict.Abstain(AbstainReason.MALFORMED_ANSWER, bad, new Provenance(model.name(), prompt.id(), "", 0, 0, 0, Set.of()));
        }
        if (valid.size() == 1) {
            out[valid.getFirst()] = Verdict.Score.point(1, 0, 1, "the only candidate that could be judged", Provenance.function(model.name()));
        } else if (valid.size() > 1) {
            List<Verdict> ranked = rankValid(task, valid.stream().map(answers::get).toList(), reference);
            for (int j = 0; j < valid.size(); j++) out[valid.get(j)] = ranked.get(j);
        }
        return Arrays.asList(out);
    }

    private List<Verdict> rankValid(String task, List<String> answers, String reference) {
        int g = answers.size();
        String nonce = model.nonce(prompt.id(), rubric, task, answers, reference);
        List<Verdict> result = new ArrayList<>();
        Verdict failed = model.guard(prompt, () -> {
            JudgeModel.Material m = new JudgeModel.Material(nonce).put("rubric", rubric).fence("task", "task", task)
                    .reference(reference);
            m.candidates(answers);
            JudgeModel.Reply reply = model.ask(prompt, m, TEXT_FORMAT, JSON_FORMAT, schema);
            return switch (VerdictParser.ranking(reply.text(), g, nonce)) {
                case VerdictParser.Failed f -> new Verdict.Abstain(f.reason(), f.detail(), reply.provenance());
                case VerdictParser.Parsed p -> {
                    Verdict[] byCandidate = new Verdict[g];
                    for (int rank = 0; rank < g; rank++) {
                        int candidate = p.values().get(rank) - 1;
                        byCandidate[candidate] = Verdict.Score.point((double) (g - 1 - rank) / (g - 1), 0, 1,
                                "rank " + (rank + 1) + " of " + g + ". " + p.rationale(), reply.provenance());
                    }
                    result.addAll(Arrays.asList(byCandidate));
                    yield null;
                }
            };
        });
        if (failed != null) return java.util.Collections.nCopies(g, failed);
        return result;
    }
}
