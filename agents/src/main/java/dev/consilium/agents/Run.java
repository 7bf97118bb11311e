package dev.consilium.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.agents.provider.CallReport;
import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.decorator.DeadlineExceededException;
import dev.consilium.agents.provider.ledger.Attribution;
import dev.consilium.agents.provider.ledger.BudgetExceededException;
import dev.consilium.agents.provider.ledger.Usage;
import dev.consilium.agents.trajectory.Failure;
import dev.consilium.agents.trajectory.Message;
import dev.consilium.agents.trajectory.ModelCall;
import dev.consilium.agents.trajectory.ToolCall;
import dev.consilium.agents.trajectory.Trajectory;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One execution of a workflow on one task: its deadline and budget, and the log of its model calls that becomes
 * its {@link Trajectory}. All state of a run lives here, so workflows stay immutable and a finished run leaves
 * nothing behind in them.
 *
 * <p>The current thread's place in a run (the run, the step path, the agent) is a {@link ScopedValue}: every
 * model call made below {@link Workflow#run} through a {@link RecordingChatModel} finds its run without being
 * told, whether an {@link Agent}, a LangChain4j AiServices proxy or a langchain4j-agentic workflow made it.
 * Branches run on virtual threads that re-bind their parent's place ({@link #all}). Scoped values are not
 * inherited by threads started by other code, so a library that hops to its own executor records nothing there.
 */
public final class Run {

    /** Where the current thread is in a run: the node path, the agent whose calls are made here. */
    record Position(Run run, String path, String agent, boolean streamsToCaller) {}

    /** One branch of {@link #all}: a node, its input, and its segment of the step path. */
    public record Branch(String segment, Workflow workflow, Conversation input) {}

    /** A call that went through the seam: the response, and its slot, where the agent attaches the parsed value. */
    record Recorded(ChatResponse response, CallSlot slot) {}

    private static final ScopedValue<Position> POSITION = ScopedValue.newInstance();

    private final String id;
    private final Task task;
    private final String workflow;
    private final RunOptions options;
    private final long startNanos;
    private final List<CallSlot> calls = new ArrayList<>();
    private long tokens;
    private double costUsd;
    private volatile String cancelled;
    private volatile List<ModelCall> frozen;

    private Run(String workflow, Task task, RunOptions options) {
        this.id = options.runId() != null ? options.runId() : UUID.randomUUID().toString();
        this.task = task;
        this.workflow = workflow;
        this.options = options;
        this.startNanos = System.nanoTime();
    }

    static Trajectory execute(Workflow w, Task task, RunOptions options) {
        Run run = new Run(w.name(), task, options);
        Position root = new Position(run, w.name(), w.name(), options.onPartial() != null);
        Turn out;
        try {
            out = options.deadline() == null ? run.body(w, root) : run.bodyWithin(w, root);
        } catch (RuntimeException e) {
            WorkflowException we = WorkflowException.at(w.name(), w.name(), e);
            throw we.withTrajectory(run.trajectory(null, we));
        }
        return run.trajectory(out, null);
    }

    /**
     * Runs {@code child} as the node {@code segment} below the current one. A failure inside it comes out as a
     * {@link WorkflowException} naming the innermost node that failed.
     *
     * @param last whether the child's answer is the answer of the node calling it; the final agent's output
     *             streams to the caller only along such a chain
     */
    public static Turn step(Workflow child, String segment, Conversation input, boolean last) {
        Position p = position();
        if (p == null) return child.respond(input);
        String path = p.path() + "/" + segment;
        p.run().checkLive(child.name(), path);
        Position here = new Position(p.run(), path, child.name(), p.streamsToCaller() && last);
        try {
            return ScopedValue.where(POSITION, here).call(() -> child.respond(input));
        } catch (RuntimeException e) {
            throw WorkflowException.at(child.name(), path, e);
        }
    }

    public static Turn step(Workflow child, String segment, Conversation input) {
        return step(child, segment, input, false);
    }

    /**
     * Runs the branches at once, each on a virtual thread, and returns their turns in order. Structured: the
     * first branch to fail interrupts the others, this waits until all have ended, then throws that first
     * failure; interrupting the caller cancels every branch the same way. An {@link Error} in a branch (out of
     * memory, a class that cannot load when the process is out of file descriptors) is such a failure too and is
     * rethrown as it is: a branch never ends without either its turn or a failure.
     */
    public static List<Turn> all(List<Branch> branches) {
        Position p = position();
        int n = branches.size();
        Turn[] out = new Turn[n];
        Thread[] threads = new Thread[n];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            Branch b = branches.get(i);
            threads[i] = Thread.ofVirtual().name("consilium-" + b.segment()).unstarted(() -> {
                try {
                    out[k] = p == null ? b.workflow().respond(b.input())
                            : ScopedValue.where(POSITION, p).call(() -> step(b.workflow(), b.segment(), b.input()));
                } catch (RuntimeException | Error e) {
                    if (failure.compareAndSet(null, e)) {
                        for (Thread t : threads) if (t != Thread.currentThread()) t.interrupt();
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        for (Thread t : threads) t.start();
        try {
            done.await();
        } catch (InterruptedException e) {
            for (Thread t : threads) t.interrupt();
            awaitUninterruptibly(done);
            Thread.currentThread().interrupt();
            String where = p == null ? "branches" : p.path();
            throw new WorkflowException("'" + where + "' was cancelled while its branches ran", p == null ? null : p.agent(),
                    where, e);
        }
        if (failure.get() instanceof Error e) throw e;
        if (failure.get() != null) throw (RuntimeException) failure.get();
        return Arrays.asList(out);
    }

    /** Unique step segments for {@code nodes}: their names, numbered where a name repeats ({@code solver-1}). */
    public static List<String> segments(List<? extends Workflow> nodes) {
        Map<String, Integer> count = new HashMap<>();
        for (Workflow w : nodes) count.merge(w.name(), 1, Integer::sum);
        Map<String, Integer> seen = new HashMap<>();
        List<String> out = new ArrayList<>(nodes.size());
        for (Workflow w : nodes) {
            if (count.get(w.name()) == 1) out.add(w.name());
            else out.add(w.name() + "-" + seen.merge(w.name(), 1, Integer::sum));
        }
        return out;
    }

    static Position position() {
        return POSITION.isBound() ? POSITION.get() : null;
    }

    /** Hands a piece of the final answer to the caller's listener, if it asked for partial output. */
    void partial(Position p, String text) {
        if (options.onPartial() != null) options.onPartial().accept(new Partial(p.agent(), p.path(), text));
    }

    /**
     * Makes one model call through the seam: refuses it when the run is cancelled, past its deadline or over
     * budget; else records the request, makes the call with the run's attribution and a {@link CallReport} in its
     * listener attributes, and records the outcome.
     */
    Recorded record(Position p, ChatRequest request, ChatRequestOptions options,
                    Function<ChatRequestOptions, ChatResponse> call) {
        CallSlot slot = begin(p, request);
        CallReport report = new CallReport();
        Map<Object, Object> attributes = new LinkedHashMap<>(options.listenerAttributes());
        attributes.putIfAbsent(Attribution.class, Attribution.of(id, p.agent()));
        attributes.put(CallReport.class, report);
        ChatResponse response;
        try {
            response = call.apply(ChatRequestOptions.builder().listenerAttributes(attributes).build());
        } catch (RuntimeException e) {
            slot.fail(e);
            throw e;
        }
        Usage usage = Usage.of(response);
        slot.complete(response, usage, report);
        synchronized (this) {
            tokens += usage.totalTokens();
            costUsd += report.costUsd();
        }
        return new Recorded(response, slot);
    }

    private CallSlot begin(Position p, ChatRequest request) {
        checkLive(p.agent(), p.path());
        synchronized (this) {
            String spent = null;
            if (options.maxModelCalls() > 0 && calls.size() >= options.maxModelCalls()) {
                spent = "budget of " + options.maxModelCalls() + " model calls";
            } else if (options.maxTokens() > 0 && tokens >= options.maxTokens()) {
                spent = "budget of " + options.maxTokens() + " tokens (" + tokens + " used)";
            } else if (options.maxCostUsd() > 0 && costUsd >= options.maxCostUsd()) {
                spent = String.format("budget of $%.4f ($%.6f used)", options.maxCostUsd(), costUsd);
            }
            if (spent != null) {
                throw new BudgetExceededException("run " + id + ": " + spent + " is spent after " + calls.size()
                        + " calls; agent '" + p.agent() + "' at step '" + p.path() + "' made no call");
            }
            CallSlot slot = new CallSlot(calls.size(), p.agent(), p.path(), Message.from(request.messages()),
                    request.parameters().modelName(), System.nanoTime() - startNanos);
            calls.add(slot);
            return slot;
        }
    }

    private void checkLive(String agent, String path) {
        if (cancelled != null) {
            throw new DeadlineExceededException("run " + id + " was cancelled (" + cancelled + "); agent '" + agent
                    + "' at step '" + path + "' did not start");
        }
    }

    private Turn body(Workflow w, Position root) {
        return ScopedValue.where(POSITION, root).call(() -> w.respond(Conversation.of(task)));
    }

    /**
     * Runs the body on a virtual thread and waits at most the deadline. Past it, the run is marked cancelled (no
     * new call starts) and its thread interrupted, which interrupts every branch below it; the caller gets the
     * failure at once, with the calls then in flight marked in the trajectory.
     */
    private Turn bodyWithin(Workflow w, Position root) {
        CompletableFuture<Turn> result = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().name("consilium-run-" + id).start(() -> {
            try {
                result.complete(body(w, root));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        long ms = options.deadline().toMillis();
        try {
            return result.get(options.deadline().toNanos() - (System.nanoTime() - startNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            cancelled = "its deadline of " + ms + " ms passed";
            CallSlot running = firstInFlight();
            // Taken before the interrupt, so calls in flight show as cut off by the deadline, not as failing.
            frozen = log();
            thread.interrupt();
            String agent = running != null ? running.agent : w.name();
            String path = running != null ? running.path : w.name();
            String msg = "deadline of " + ms + " ms passed while agent '" + agent + "' was running at step '" + path
                    + "'; the run was cancelled";
            throw new WorkflowException(msg, agent, path, new DeadlineExceededException(msg));
        } catch (InterruptedException e) {
            cancelled = "the caller was interrupted";
            thread.interrupt();
            Thread.currentThread().interrupt();
            throw new WorkflowException("run " + id + " of '" + w.name() + "' was interrupted and cancelled", w.name(),
                    w.name(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    private synchronized CallSlot firstInFlight() {
        for (CallSlot s : calls) if (s.done == null) return s;
        return null;
    }

    private synchronized List<ModelCall> log() {
        List<ModelCall> log = new ArrayList<>(calls.size());
        for (CallSlot s : calls) log.add(s.snapshot(cancelled));
        return log;
    }

    private Trajectory trajectory(Turn out, WorkflowException failure) {
        List<ModelCall> log = frozen != null ? frozen : log();
        long elapsed = (System.nanoTime() - startNanos) / 1000;
        if (failure != null) {
            Throwable root = failure;
            while (root instanceof WorkflowException && root.getCause() != null) root = root.getCause();
            Failure f = new Failure(failure.agent(), failure.path(), root.getClass().getSimpleName(), failure.getMessage());
            return new Trajectory(Trajectory.SCHEMA, id, workflow, task, Trajectory.FAILED, null, null, f, log, elapsed);
        }
        JsonNode value = out.value() == null ? null : TypedOutput.toTree(out.value());
        return new Trajectory(Trajectory.SCHEMA, id, workflow, task, Trajectory.COMPLETED, out.text(), value, null, log,
                elapsed);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** One call's place in the log: filled in when the call ends; a snapshot of an unfinished one says so. */
    final class CallSlot {
        private final int index;
        private final String agent;
        private final String path;
        private final List<Message> messages;
        private final String requestedModel;
        private final long startNanos;
        private volatile ModelCall done;

        private CallSlot(int index, String agent, String path, List<Message> messages, String requestedModel,
                         long startNanos) {
            this.index = index;
            this.agent = agent;
            this.path = path;
            this.messages = messages;
            this.requestedModel = requestedModel;
            this.startNanos = startNanos;
        }

        private void complete(ChatResponse r, Usage usage, CallReport report) {
            AiMessage ai = r.aiMessage();
            List<ToolCall> tools = ai.hasToolExecutionRequests() ? Message.from(ai).toolCalls() : List.of();
            String model = r.modelName() != null ? r.modelName() : requestedModel;
            var tokens = r.metadata() instanceof LogprobsMetadata lm ? lm.logprobs() : null;
            done = new ModelCall(index, agent, path, model, messages, ai.text(), tools, null, tokens, usage,
                    report.costUsd(), startNanos / 1000, latencyMicros(), report.wasCacheHit(), null);
        }

        private void fail(RuntimeException e) {
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            done = new ModelCall(index, agent, path, requestedModel, messages, null, List.of(), null, null, Usage.ZERO,
                    0, startNanos / 1000, latencyMicros(), false, why);
        }

        void parsed(JsonNode value) {
            done = done.withParsed(value);
        }

        private ModelCall snapshot(String cancelReason) {
            ModelCall d = done;
            if (d != null) return d;
            String why = "still running when the run ended" + (cancelReason == null ? "" : " (" + cancelReason + ")");
            return new ModelCall(index, agent, path, requestedModel, messages, null, List.of(), null, null, Usage.ZERO, 0,
                    startNanos / 1000, latencyMicros(), false, why);
        }

        private long latencyMicros() {
            return (System.nanoTime() - Run.this.startNanos) / 1000 - startNanos / 1000;
        }
    }
}
