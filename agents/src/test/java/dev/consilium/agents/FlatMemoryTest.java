package dev.consilium.agents;

import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A million model calls through one workflow instance leave nothing behind once their trajectories are handed
 * off. The proof is the heap: Surefire runs this class alone in a JVM with a 48 MB heap (the
 * {@code flat-memory} execution in the pom), so keeping even 50 bytes per call would run out of memory.
 */
class FlatMemoryTest {

    static final int RUNS = 500_000;
    static final int STEPS = 2;

    @Test
    void aMillionCallsThroughOneWorkflowKeepNoPerCallState() throws Exception {
        assumeTrue(Runtime.getRuntime().maxMemory() <= 64L << 20, "needs the flat-memory execution's small heap");
        Agent a = Agent.builder().name("a").model(ScriptedChatModel.of(ScriptedChatModel::lastUser)).build();
        Agent b = Agent.builder().name("b").memory(MemoryPolicy.LAST).model(ScriptedChatModel.constant("ok")).build();
        var workflow = Workflows.sequence(a, b);
        AtomicLong calls = new AtomicLong();
        int threads = 8;
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int first = w;
            workers.add(Thread.ofVirtual().start(() -> {
                for (int i = first; i < RUNS; i += threads) {
                    Trajectory t = workflow.run(Task.of("t", "task " + i));
                    calls.addAndGet(t.calls().size());
                }
            }));
        }
        for (Thread t : workers) t.join();
        assertEquals((long) RUNS * STEPS, calls.get());
    }
}
