package dev.consilium.rewards.verdict;

import java.util.Objects;
import java.util.Optional;

/**
 * What is judged: the task as posed, the answer as text (a final answer or a whole transcript), and an optional
 * reference answer. A trajectory becomes one with a single function: its task, its rendered transcript (or
 * final turn), the task's reference.
 */
public record JudgedItem(String task, String answer, String reference) {

    public JudgedItem {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(answer, "answer");
    }

    public static JudgedItem of(String task, String answer) {
        return new JudgedItem(task, answer, null);
    }

    public static JudgedItem of(String task, String answer, String reference) {
        return new JudgedItem(task, answer, reference);
    }

    public Optional<String> referenceAnswer() {
        return Optional.ofNullable(reference);
    }

    public JudgedItem withAnswer(String otherAnswer) {
        return new JudgedItem(task, otherAnswer, reference);
    }
}
