package dev.consilium.moe.train.policy;

/**
 * A prompt with a preferred and a dispreferred completion, as DPO consumes it (TRL's
 * {@code prompt}/{@code chosen}/{@code rejected}). Every completion token counts toward its sequence log-prob.
 * Equality is identity of the arrays, which is what the trainer's reference cache keys on.
 */
public record PreferencePair(int[] prompt, int[] chosen, int[] rejected) {

    public PreferencePair {
        Completion.validate("preference pair (chosen)", prompt, chosen, null);
        Completion.validate("preference pair (rejected)", prompt, rejected, null);
    }

    Completion chosenSide() {
        return new Side(prompt, chosen);
    }

    Completion rejectedSide() {
        return new Side(prompt, rejected);
    }

    private record Side(int[] prompt, int[] completion) implements Completion {
        @Override
        public boolean[] mask() {
            return null;
        }
    }
}
