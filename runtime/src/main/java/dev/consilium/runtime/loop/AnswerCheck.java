package dev.consilium.runtime.loop;

/**
 * Whether a workflow's final answer solves a task: the ground truth held-out evaluation counts, and what a
 * judge's verdicts are compared with (judge agreement).
 */
@FunctionalInterface
public interface AnswerCheck {

    boolean accepts(TaskRecord task, String answer);

    /** The answer, stripped, equals the task's reference. */
    static AnswerCheck exact() {
        return (task, answer) -> answer != null && task.reference() != null && answer.strip().equals(task.reference());
    }
}
