package dev.consilium.rewards.judge;

import dev.consilium.rewards.parse.VerdictParser;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.Distribution;
import dev.consilium.rewards.verdict.Flag;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Grades one answer against a rubric on a {@link Scale}, with the reference answer when the item has one.
 * <pre>{@code
 * Judge judge = PointwiseJudge.builder()
 *         .model(JudgeModel.of(providers.chatModel("openai/gpt-4o-mini"), "openai/gpt-4o-mini"))
 *         .rubric("The answer states the correct sum.")
 *         .scale(Scale.BINARY)
 *         .build();
 * Verdict v = judge.evaluate(JudgedItem.of("What is 17 + 25?", "42", "42"));
 * }</pre>
 * With {@link Builder#probabilityWeighted(int)} the score is the expectation over the scale: read from the
 * judge's token logprobs, asked for with the request ({@code logprobs}, {@code top_logprobs}) and read with
 * {@code LogprobsMetadata.of} (the built-in model always gives them, OpenAI-wire servers when asked), else estimated
 * from that many samples and flagged {@link Flag#SAMPLED_ESTIMATE}. A greedy judge's samples are drawn at
 * {@link Builder#sampleTemperature}: asking a temperature-0 model again would only repeat its answer.
 */
public final class PointwiseJudge implements Judge {

    private static final String TEXT_FORMAT = "Reason briefly, then end your reply with one final line of the form "
            + "\"Score: N\", where N is %s.";
    private static final String JSON_FORMAT = "Reply with a JSON object {\"rationale\": \"...\", \"score\": N}: your brief "
            + "reasoning first, then N, %s.";

    private final JudgeModel model;
    private final String rubric;
    private final Scale scale;
    private final PromptTemplate prompt;
    private final int samples;
    private final int topLogprobs;
    private final double minScaleProbability;
    private final double sampleTemperature;
    private final JsonObjectSchema schema;

    private PointwiseJudge(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model");
        this.rubric = Objects.requireNonNull(b.rubric, "rubric");
        this.scale = b.scale;
        this.prompt = b.prompt;
        this.samples = b.samples;
        this.topLogprobs = b.topLogprobs;
        this.minScaleProbability = b.minScaleProbability;
        this.sampleTemperature = b.sampleTemperature;
        this.schema = JsonObjectSchema.builder().addStringProperty("rationale").addIntegerProperty("score")
                .required("rationale", "score").additionalProperties(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return model.name();
    }

    public Scale scale() {
        return scale;
    }

    @Override
    public Verdict evaluate(JudgedItem item) {
        boolean weighted = samples > 0;
        Verdict first = model.guard(prompt, () -> once(item, 0, weighted ? new JudgeModel.Call(topLogprobs, null) : JudgeModel.Call.PLAIN, weighted));
        if (!weighted || !(first instanceof Verdict.Score s) || s.distribution().source() == Distribution.Source.LOGPROBS) {
            return first;
        }
        // No logprobs: estimate from samples. A greedy judge's reply is one deterministic draw, not a sample of its
        // distribution, so it stays out of the estimate (its cost still counts) and all the samples are fresh.
        List<Verdict> all = new ArrayList<>();
        if (!model.greedy()) all.add(first);
        all.addAll(samples(item, 1, model.greedy() ? samples + 1 : samples));
        Verdict pooled = Pooling.MEAN.pool(all, false, Distribution.Source.SAMPLES, Set.of(Flag.SAMPLED_ESTIMATE), name(), prompt.id());
        if (!model.greedy()) return pooled;
        Provenance both = Provenance.combine(name(), prompt.id(), List.of(first.provenance(), pooled.provenance()));
        return switch (pooled) {
            case Verdict.Score p -> new Verdict.Score(p.value(), p.distribution(), p.rationale(), both);
            case Verdict.Abstain a -> new Verdict.Abstain(a.reason(), a.detail(), both);
        };
    }

    /**
     * Samples {@code from} (inclusive) to {@code to} (exclusive), each a distinct request; a greedy judge's at
     * {@link Builder#sampleTemperature}, since asking it again at 0 would only repeat one answer.
     */
    List<Verdict> samples(JudgedItem item, int from, int to) {
        JudgeModel.Call call = model.greedy() ? new JudgeModel.Call(0, sampleTemperature) : JudgeModel.Call.PLAIN;
        List<Verdict> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            int sample = i;
            out.add(model.guard(prompt, () -> once(item, sample, call, false)));
        }
        return out;
    }

    private Verdict once(JudgedItem item, int sample, JudgeModel.Call call, boolean weighted) {
        String bad = model.malformed(item.answer());
        if (bad != null) {
            return new Verdict.Abstain(AbstainReason.MALFORMED_ANSWER, bad, new Provenance(name(), prompt.id(), "", 0, 0, 0, Set.of()));
        }
        String nonce = model.nonce(prompt.id(), rubric, scale, item.task(), item.answer(), item.reference(), sample);
        JudgeModel.Material m = new JudgeModel.Material(nonce).put("rubric", rubric).put("scale", scale.description())
                .fence("task", "task", item.task()).fence("answer", "answer", item.answer()).reference(item.reference());
        JudgeModel.Reply reply = model.ask(prompt, m, TEXT_FORMAT.formatted(scale.description()),
                JSON_FORMAT.formatted(scale.description()), schema, call);
        return ScaleVerdict.of(VerdictParser.score(reply.text(), scale.min(), scale.max(), nonce), reply, scale, weighted,
                minScaleProbability);
    }

    public static final class Builder extends ScaleJudgeBuilder<Builder> {
        private int samples;
        private double sampleTemperature = 1.0;

        private Builder() {
            super(Prompts.POINTWISE);
        }

        /**
         * Scores as an expectation: from logprobs where the model reports them, else from {@code samplesWithoutLogprobs}
         * samples (at least 2).
         */
        public Builder probabilityWeighted(int samplesWithoutLogprobs) {
            if (samplesWithoutLogprobs < 2) throw new IllegalArgumentException("a sampled estimate needs at least 2 samples, got " + samplesWithoutLogprobs);
            this.samples = samplesWithoutLogprobs;
            return this;
        }

        /** The temperature a greedy judge's samples are drawn at (1 by default, as G-Eval samples). */
        public Builder sampleTemperature(double temperature) {
            if (!(temperature > 0)) throw new IllegalArgumentException("a sample temperature must be positive, got " + temperature);
            this.sampleTemperature = temperature;
            return this;
        }

        public PointwiseJudge build() {
            return new PointwiseJudge(this);
        }
    }
}
