package dev.consilium.runtime.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The in-process executor, except that unit {@code unit} of call {@code call} dies as a killed process would,
 * with the call's other units in flight. A run's calls are, in order, round 0's held-out evaluation, then for
 * each round r its rollouts, its judging and its held-out evaluation (calls {@code 3r - 2}, {@code 3r - 1},
 * {@code 3r}); a resumed run counts from its first round.
 */
final class KillingExecutor implements RolloutExecutor {
    /** A process killed mid-call. */
    static final class Killed extends RuntimeException {
        Killed(int call, int unit) {
            super("killed at unit " + unit + " of executor call " + call);
        }
    }

    private final RolloutExecutor inner = RolloutExecutor.inProcess(64);
    private final int call, unit;
    private int calls;

    KillingExecutor(int call, int unit) {
        this.call = call;
        this.unit = unit;
    }

    @Override
    public <T> List<T> runAll(List<Callable<T>> units) {
        if (calls++ != call) return inner.runAll(units);
        if (unit >= units.size()) throw new IllegalArgumentException("call " + call + " has " + units.size() + " units");
        List<Callable<T>> dying = new ArrayList<>(units);
        dying.set(unit, () -> { throw new Killed(call, unit); });
        return inner.runAll(dying);
    }
}
