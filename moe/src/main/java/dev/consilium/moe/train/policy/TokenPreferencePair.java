package dev.consilium.moe.train.policy;

/**
 * A prompt with a preferred and a dispreferred completion, as DPO consumes it (TRL's
 * {@code prompt}/{@code chosen}/{@code rejected}). Every completion token counts toward its sequence log-prob.
 * Equality is identity of the arrays, which is what the trainer's reference cache keys on.
 */
public record TokenPreferencePair(int[] prompt, int[] chosen, int[] rejected) {

    public TokenPreferencePair {
        TrainingCompletion.validate("preference pair (chosen)", prompt, chosen, null);
        TrainingCompletion.validate("preference pair (rejected)", prompt, rejected, null);
    }

    TrainingCompletion chosenSide() {
        return new Side(prompt, chosen);
    }

    TrainingCompletion rejectedSide() {
        return new Side(prompt, rejected);
    }

    private record Side(int[] prompt, int[] completion) implements TrainingCompletion {
        @Override
        public boolean[] mask() {
            return null;
        }
    }
}
