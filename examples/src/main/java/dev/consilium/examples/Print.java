package dev.consilium.examples;

import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;

/** How the examples show a run: the answer, then one line per model call. */
final class Print {
    private Print() {}

    static void summary(Trajectory t) {
        System.out.println("answer: " + t.output() + "   (" + t.status() + ", " + t.calls().size() + " model calls)");
        for (ModelCall c : t.calls()) {
            System.out.printf("  %-32s %-10s -> %s%n", c.path(), c.agent(), c.output() == null ? c.error() : c.output());
        }
    }
}
