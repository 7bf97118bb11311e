package dev.consilium.runtime.eval;

import dev.consilium.moe.generate.GreedyDecoder;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.runtime.datasets.ArithmeticDataset.Problem;

import java.util.List;

/**
 * Held-out accuracy of a language model on question/answer problems: the question as the prompt, a greedy
 * completion up to end-of-sentence, correct when its trimmed text equals the answer exactly.
 */
public final class ExactMatch {
    /** Answers here are short numbers; a model that rambles past this is wrong anyway. */
    private static final int MAX_ANSWER_TOKENS = 8;

    private ExactMatch() {}

    public record Result(int correct, int total) {
        public double accuracy() {
            return total == 0 ? 0 : (double) correct / total;
        }

        @Override
        public String toString() {
            return String.format("%d/%d (%.1f%%)", correct, total, 100 * accuracy());
        }
    }

    public static Result evaluate(DeepSeekV3Model model, BpeTokenizer tokenizer, List<Problem> problems) {
        GreedyDecoder decoder = new GreedyDecoder(model);
        int eos = tokenizer.tokenId(ChatTemplate.END_OF_SENTENCE);
        int correct = 0;
        for (Problem p : problems) {
            int[] answer = decoder.complete(tokenizer.encodeOrdinary(p.question()), MAX_ANSWER_TOKENS, eos);
            if (tokenizer.decode(answer).trim().equals(p.answer())) correct++;
        }
        return new Result(correct, problems.size());
    }
}
