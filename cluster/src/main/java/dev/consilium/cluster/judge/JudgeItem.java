package dev.consilium.cluster.judge;

import dev.consilium.rewards.verdict.JudgedItem;

import java.io.Serializable;

/** A {@link JudgedItem} as a unit's payload: the same three strings, serialisable. */
public record JudgeItem(String task, String answer, String reference) implements Serializable {

    public static JudgeItem of(JudgedItem item) {
        return new JudgeItem(item.task(), item.answer(), item.reference());
    }

    public JudgedItem toJudged() {
        return JudgedItem.of(task, answer, reference);
    }
}
