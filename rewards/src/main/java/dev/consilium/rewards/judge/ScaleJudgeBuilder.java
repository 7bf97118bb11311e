package dev.consilium.rewards.judge;

/**
 * The settings of the judges that score on a {@link Scale} ({@link PointwiseJudge}, {@link GroupJudge}): the scale
 * and, for probability-weighted scores, how many logprob alternatives to ask for and how sure the judge must be.
 */
abstract class ScaleJudgeBuilder<B extends ScaleJudgeBuilder<B>> extends JudgeBuilder<B> {
    Scale scale = Scale.ONE_TO_FIVE;
    int topLogprobs = LogprobScore.DEFAULT_TOP_LOGPROBS;
    double minScaleProbability = LogprobScore.DEFAULT_MIN_SCALE_PROBABILITY;

    ScaleJudgeBuilder(PromptTemplate prompt) {
        super(prompt);
    }

    /** {@link Scale#ONE_TO_FIVE} by default. */
    public B scale(Scale scale) {
        this.scale = scale;
        return self();
    }

    /** Alternatives per token asked for with logprobs (5 by default; OpenAI gives at most 20). */
    public B topLogprobs(int k) {
        this.topLogprobs = LogprobScore.checkTopLogprobs(k);
        return self();
    }

    /**
     * The least probability the judge must put on the scale, at its score token, for a logprob score (0.5 by
     * default); below it the verdict abstains rather than report a long shot as the judge's confident view.
     */
    public B minScaleProbability(double floor) {
        this.minScaleProbability = LogprobScore.checkFloor(floor);
        return self();
    }
}
