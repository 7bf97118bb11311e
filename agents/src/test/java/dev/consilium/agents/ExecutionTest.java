package dev.consilium.agents;

import dev.consilium.agents.provider.ledger.BudgetExceededException;
import dev.consilium.agents.testing.ScriptedChatModel;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;
import dev.langchain4j.model.chat.ChatModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutionTest {

    /** Blocks until interrupted (or released), noting the interrupt: a slow model a cancellation must stop. */
    static ChatModel blocking(CountDownLatch release, AtomicBoolean interrupted, CountDownLatch started) {
        return ScriptedChatModel.of(r -> {
            started.countDown();
            try {
                release.await();
                return "late";
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw new IllegalStateException("interrupted");
            }
        });
    }

    @Test
    void aFailingBranchCancelsItsSiblingsAndNamesItself() {
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Agent slow = Agent.builder().name("slow").model(blocking(new CountDownLatch(1), interrupted, started)).build();
        Agent broken = Agent.builder().name("broken").model(ScriptedChatModel.of(r -> {
            await().until(() -> started.getCount() == 0);
            throw new IllegalStateException("HTTP 500 from the vendor");
        })).build();

        WorkflowException e = assertThrows(WorkflowException.class,
                () -> Workflows.parallel(slow, broken).named("fan").run(Task.of("q")));

        assertEquals("broken", e.agent());
        assertEquals("fan/broken", e.path());
        assertTrue(e.getMessage().contains("HTTP 500 from the vendor"), e.getMessage());
        assertTrue(interrupted.get(), "the sibling was interrupted before the failure surfaced");
        Trajectory t = e.trajectory();
        assertEquals(2, t.calls().size());
        assertTrue(t.calls().stream().allMatch(ModelCall::failed));
        assertEquals(new dev.consilium.agents.trajectory.Failure("broken", "fan/broken", "IllegalStateException",
                e.getMessage()), t.failure());
    }

    @Test
    void anErrorInABranchIsRethrownAsItIsRatherThanLeavingTheBranchWithoutATurn() {
        Agent broken = Agent.builder().name("broken").model(ScriptedChatModel.of(r -> {
            throw new NoClassDefFoundError("dev/example/Missing");
        })).build();
        Agent fine = Agent.builder().name("fine").model(ScriptedChatModel.constant("1")).build();

        NoClassDefFoundError e = assertThrows(NoClassDefFoundError.class,
                () -> Workflows.parallel(fine, broken).run(Task.of("q")));

        assertEquals("dev/example/Missing", e.getMessage());
    }

    @Test
    void pastTheDeadlineTheRunIsCancelledAndTheCallInFlightIsMarked() {
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Agent fast = Agent.builder().name("fast").model(ScriptedChatModel.constant("draft")).build();
        Agent slow = Agent.builder().name("slow").model(blocking(new CountDownLatch(1), interrupted, started)).build();
        RunOptions opts = RunOptions.builder().deadline(Duration.ofMillis(200)).build();

        long t0 = System.nanoTime();
        WorkflowException e = assertThrows(WorkflowException.class,
                () -> Workflows.sequence(fast, slow).named("pipeline").run(Task.of("q"), opts));

        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        assertEquals("slow", e.agent());
        assertEquals("pipeline/slow", e.path());
        assertTrue(e.getMessage().startsWith("deadline of 200 ms passed while agent 'slow'"), e.getMessage());
        List<ModelCall> calls = e.trajectory().calls();
        assertEquals("draft", calls.get(0).output());
        assertTrue(calls.get(1).error().startsWith("still running when the run ended"), calls.get(1).error());
        assertEquals("DeadlineExceededException", e.trajectory().failure().type());
        await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
    }

    @Test
    void theCallBudgetStopsTheRunBeforeTheCallOverIt() {
        Agent a = Agent.builder().name("a").model(ScriptedChatModel.constant("x")).build();
        Agent b = Agent.builder().name("b").model(ScriptedChatModel.constant("y")).build();
        Agent c = Agent.builder().name("c").model(ScriptedChatModel.constant("z")).build();

        WorkflowException e = assertThrows(WorkflowException.class, () -> Workflows.sequence(a, b, c)
                .run(Task.of("q"), RunOptions.builder().maxModelCalls(2).build()));

        assertEquals("c", e.agent());
        assertInstanceOf(BudgetExceededException.class, e.getCause());
        assertTrue(e.getMessage().contains("budget of 2 model calls is spent"), e.getMessage());
        assertEquals(2, e.trajectory().calls().size());
    }

    @Test
    void theTokenBudgetCountsWhatEarlierCallsUsed() {
        Agent a = Agent.builder().name("a").model(ScriptedChatModel.constant("x")).build();
        WorkflowException e = assertThrows(WorkflowException.class, () -> Workflows.sequence(a, a, a, a)
                .run(Task.of("q"), RunOptions.builder().maxTokens(5).build()));
        assertTrue(e.getMessage().contains("budget of 5 tokens"), e.getMessage());
    }

    @Test
    void oneWorkflowInstanceRunsManyTasksAtOnceWithoutMixingThem() throws Exception {
        Agent echo = Agent.builder().name("echo").model(ScriptedChatModel.of(ScriptedChatModel::lastUser)).build();
        Agent upper = Agent.builder().name("upper").memory(MemoryPolicy.LAST)
                .model(ScriptedChatModel.of(r -> ScriptedChatModel.lastUser(r).toUpperCase())).build();
        Workflow w = Workflows.sequence(echo, Workflows.parallel(upper, upper));
        List<Future<Trajectory>> runs = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 300; i++) {
                Task task = Task.of("t" + i, "task " + i);
                runs.add(pool.submit(() -> w.run(task)));
            }
        }
        for (int i = 0; i < 300; i++) {
            Trajectory t = runs.get(i).get();
            assertEquals(3, t.calls().size());
            for (ModelCall c : t.calls()) assertTrue(c.output().equalsIgnoreCase("task " + i) || c.output().equalsIgnoreCase("echo: task " + i), c.output());
        }
    }
}
