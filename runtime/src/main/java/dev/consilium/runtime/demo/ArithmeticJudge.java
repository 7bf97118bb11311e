package dev.consilium.runtime.demo;

import dev.consilium.rewards.judge.JudgeModel;
import dev.consilium.rewards.judge.PointwiseJudge;
import dev.consilium.rewards.judge.PromptTemplate;
import dev.consilium.rewards.judge.Scale;
import dev.consilium.runtime.datasets.ColumnArithmetic;
import dev.langchain4j.model.chat.ChatModel;

/**
 * The demo's LLM judge: a pointwise binary judge (the rewards module's {@link PointwiseJudge}, so its prompt is
 * fenced and its verdict parsed exactly as for an API judge) with a compact prompt a small built-in model reads
 * in a few dozen tokens. The judge answers in words, working the sum column by column, naming the final answer
 * it read, and saying whether it is correct, then ends with the {@code Score: N} line the parser reads.
 */
public final class ArithmeticJudge {
    public static final PromptTemplate PROMPT = PromptTemplate.of("arithmetic-judge", "1",
            "You are the judge. Work out the task column by column, then say whether the final answer is correct.",
            "Task: {{task}}\n{{answer}}");
    public static final String RUBRIC = "The final answer in the transcript is the exact result of the task.";

    private ArithmeticJudge() {}

    /** The judge over {@code model}; its score is probability-weighted where the model reports logprobs. */
    public static PointwiseJudge over(ChatModel model, String name, long nonceSeed) {
        return PointwiseJudge.builder()
                .model(JudgeModel.builder().model(model).name(name).nonceSeed(nonceSeed)
                        .structuredOutput(JudgeModel.StructuredOutput.NEVER).build())
                .rubric(RUBRIC).scale(Scale.BINARY).prompt(PROMPT).probabilityWeighted(2).build();
    }

    /** One turn as the judge reads it in a transcript. */
    public static String line(String agent, String text) {
        return agent + ": " + text.strip();
    }

    /** What a correct judge says of a task {@code a op b} whose final answer reads {@code finalAnswer}. */
    public static String verdict(int a, int b, boolean add, String finalAnswer) {
        int truth = add ? a + b : a - b;
        String answer = finalAnswer.strip();
        boolean right = answer.equals(Integer.toString(truth));
        String read = answer.isEmpty() ? "The final answer is missing."
                : "The final answer is " + answer + (right ? ", which is correct." : ", which is wrong.");
        return ColumnArithmetic.working(a, b, add) + " so " + a + (add ? " + " : " - ") + b + " = " + truth + ". "
                + read + "\nScore: " + (right ? 1 : 0);
    }
}
