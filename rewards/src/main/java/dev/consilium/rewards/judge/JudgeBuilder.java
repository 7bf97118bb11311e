package dev.consilium.rewards.judge;

/**
 * The settings every model judge's builder takes: the judge model, the rubric and the prompt. Each judge's own
 * {@code Builder} extends it with what only that judge has; {@code B} is that builder, so the chain keeps its type.
 */
abstract class JudgeBuilder<B extends JudgeBuilder<B>> {
    JudgeModel model;
    String rubric;
    PromptTemplate prompt;

    /** @param prompt the judge's own prompt, used unless {@link #prompt(PromptTemplate)} replaces it */
    JudgeBuilder(PromptTemplate prompt) {
        this.prompt = prompt;
    }

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }

    public B model(JudgeModel model) {
        this.model = model;
        return self();
    }

    /** What a good answer does, in the judge's words. */
    public B rubric(String rubric) {
        this.rubric = rubric;
        return self();
    }

    /**
     * The judge's own prompt by default ({@link Prompts#POINTWISE}, {@link Prompts#PAIRWISE}, {@link Prompts#GROUP});
     * a replacement uses the same placeholders.
     */
    public B prompt(PromptTemplate prompt) {
        this.prompt = prompt;
        return self();
    }
}
