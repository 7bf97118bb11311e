package dev.consilium.runtime.demo.arithmetic;

import dev.consilium.rewards.judge.JudgeModel;
import dev.consilium.rewards.judge.PointwiseJudge;
import dev.consilium.rewards.judge.PromptTemplate;
import dev.consilium.rewards.judge.Scale;
import dev.consilium.runtime.loop.Transcripts;
import dev.langchain4j.model.chat.ChatModel;

/**
 * The demo's LLM judge: a reference-guided pointwise binary judge (the rewards module's {@link PointwiseJudge},
 * so its prompt is fenced and its verdict parsed exactly as for an API judge) with a compact prompt a small
 * built-in model reads in a few dozen tokens. It reads the transcript, finds the final answer among the turns,
 * says in words whether it matches the reference, and ends with the {@code Score: N} line the parser reads.
 * A reference-guided judge (as in MT-Bench's grading of maths) is what a tiny model can do reliably; the
 * transcript is still free text that only a reader of it can score.
 */
public final class ArithmeticJudge {
    public static final PromptTemplate PROMPT = PromptTemplate.of("arithmetic-judge", "2",
            "You are the judge. Find the final answer in the transcript and say whether it matches the reference.",
            "Task: {{task}}\n{{reference}}{{answer}}");
    public static final String RUBRIC = "The final answer in the transcript is the exact result of the task.";

    private ArithmeticJudge() {}

    /** The judge over {@code model}; its score is probability-weighted where the model reports logprobs. */
    public static PointwiseJudge over(ChatModel model, String name, long nonceSeed) {
        return PointwiseJudge.builder()
                .model(JudgeModel.builder().model(model).name(name).nonceSeed(nonceSeed)
                        .structuredOutput(JudgeModel.StructuredOutput.NEVER).build())
                .rubric(RUBRIC).scale(Scale.BINARY).prompt(PROMPT).probabilityWeighted(2).build();
    }

    /** One turn as the judge reads it in a transcript: as the loop writes transcripts ({@link Transcripts}). */
    public static String line(String agent, String text) {
        return Transcripts.line(agent, text);
    }

    /** What a correct judge says of a transcript whose final answer reads {@code finalAnswer}, for {@code reference}. */
    public static String verdict(String reference, String finalAnswer) {
        String answer = finalAnswer.strip();
        boolean right = answer.equals(reference);
        String read = answer.isEmpty() ? "The final answer is missing."
                : "The final answer is " + answer + (right ? ", which matches." : ", which does not match.");
        return "The reference answer is " + reference + ". " + read + "\nScore: " + (right ? 1 : 0);
    }
}
