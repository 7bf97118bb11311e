package dev.consilium.moe.train.policy;

/**
 * A prompt and the completion the policy is trained on: the unit {@link PackedBatch} lays out in one row.
 * Only completion tokens are ever trained; the prompt is context.
 */
public interface TrainingCompletion {

    /** Token ids the completion follows; at least one (a BOS or chat-template prefix), so every trained token has context. */
    int[] prompt();

    /** Token ids the policy produced; at least one. */
    int[] completion();

    /**
     * Which completion tokens are trained, or null for all of them. A multi-agent transcript credits only the
     * policy's own turns: the other agents' tokens stay in the row as context with mask false.
     */
    boolean[] mask();

    /** Checks the shape every implementation shares; {@code what} names the value in the message. */
    static void validate(String what, int[] prompt, int[] completion, boolean[] mask) {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException(what + ": the prompt is empty; give at least a BOS token so the first"
                    + " completion token has context");
        }
        if (completion == null || completion.length == 0) throw new IllegalArgumentException(what + ": the completion is empty");
        if (mask != null && mask.length != completion.length) {
            throw new IllegalArgumentException(what + ": mask has " + mask.length + " entries for " + completion.length
                    + " completion tokens");
        }
    }
}
