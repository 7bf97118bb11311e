package dev.consilium.agents.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import com.sun.net.httpserver.HttpServer;
import dev.consilium.agents.Agent;
import dev.consilium.agents.Task;
import dev.consilium.agents.Workflow;
import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.agents.trajectory.Trajectory;
import dev.consilium.agents.workflow.Workflows;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many debates at once against a local OpenAI-compatible server that answers every call after a fixed delay:
 * does the orchestration keep up, so that the whole batch takes about as long as one debate's chain of calls?
 * A debate of 2 agents over 2 rounds plus an aggregator makes 5 calls, 3 of them one after another, so the
 * latency bound is 3 x the delay. Prints one JSON object, and exits with status 1 and the reason when the batch did
 * not run in full: a debate failed or never came back, or the calls recorded, made and served disagree.
 * <pre>java -cp ... dev.consilium.agents.bench.DebateLoadBench [debates=10000] [delayMs=50]</pre>
 * Every call in flight holds two file descriptors (the client's socket and the server's), and idle keep-alive
 * connections stay open between rounds, so the process needs about 4 per debate; it refuses to start below that.
 */
public final class DebateLoadBench {

    static final String COMPLETION = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"stub\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"42\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1,\"total_tokens\":11}}";

    static final int CALLS_PER_DEBATE = 5;

    public static void main(String[] args) throws Exception {
        int debates = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int delayMs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        long needed = 4L * debates + 1024;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os
                && os.getMaxFileDescriptorCount() < needed) {
            fail(debates + " debates need about " + needed + " file descriptors and this process may open "
                    + os.getMaxFileDescriptorCount() + "; raise the limit (ulimit -n " + needed + ") or run fewer");
        }
        // The stub closes idle keep-alive connections beyond 200 by default, racing the client's reuse of them
        // (an EOFException on a call between rounds); let it keep every connection the client pools.
        System.setProperty("sun.net.httpserver.maxIdleConnections", String.valueOf(2 * debates));
        AtomicLong served = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), debates * 2);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        byte[] body = COMPLETION.getBytes(StandardCharsets.UTF_8);
        // A remote model's latency without a thread held for it: the handler returns at once and the answer is
        // sent when the delay has passed, from a virtual thread (writing may block on a slow client).
        Executor later = CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS, Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            later.execute(() -> {
                try (exchange) {
                    // Counted before the answer leaves, so that every call the client saw answered is counted by
                    // the time its batch ends.
                    served.incrementAndGet();
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                } catch (IOException ignored) {
                    // the client went away; nothing to answer
                }
            });
        });
        server.start();
        try {
            String baseUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            Providers providers = Providers.builder().config(ProvidersConfig.of(Deployment.builder().name("stub")
                    .model("openai-compatible/stub").baseUrl(baseUrl).maxRetries(0).timeoutSeconds(120.0).build())).build();
            Agent debater = Agent.builder().name("alice").role("Answer with a number.").model("stub").providers(providers).build();
            Agent judge = Agent.builder().name("judge").role("Give the best answer.").model("stub").providers(providers).build();
            Workflow debate = Workflows.debate(List.of(debater, debater.toBuilder().name("bob").build()), 2, judge);

            List<Task> tasks = new ArrayList<>(debates);
            for (int i = 0; i < debates; i++) tasks.add(Task.of("d" + i, "What is " + i + " + 1?"));
            // The same batch once unmeasured: the HTTP and JSON stacks are JIT-compiled before the clock starts.
            Workflows.map(debate, tasks).concurrency(debates).forEach(t -> { });
            served.set(0);
            AtomicInteger done = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicLong calls = new AtomicLong();
            long t0 = System.nanoTime();
            Workflows.map(debate, tasks).concurrency(debates).forEach((Trajectory t) -> {
                done.incrementAndGet();
                if (!t.completed() && failed.incrementAndGet() == 1) System.err.println("first failure: " + t.failure());
                calls.addAndGet(t.calls().size());
            });
            double elapsedMs = (System.nanoTime() - t0) / 1e6;
            double boundMs = 3.0 * delayMs;
            System.out.printf("{\"debates\":%d,\"failed\":%d,\"calls\":%d,\"served\":%d,\"delayMs\":%d,"
                            + "\"latencyBoundMs\":%.0f,\"elapsedMs\":%.0f,\"ratio\":%.2f,\"cores\":%d}%n",
                    debates, failed.get(), calls.get(), served.get(), delayMs, boundMs, elapsedMs, elapsedMs / boundMs,
                    Runtime.getRuntime().availableProcessors());
            long expected = (long) debates * CALLS_PER_DEBATE;
            if (done.get() != debates || failed.get() > 0 || calls.get() != expected || served.get() != calls.get()) {
                fail("the batch did not run in full: " + done.get() + " of " + debates + " debates came back, "
                        + failed.get() + " failed, " + calls.get() + " calls recorded of " + expected + ", "
                        + served.get() + " served");
            }
        } finally {
            server.stop(0);
        }
    }

    private static void fail(String why) {
        System.err.println("DebateLoadBench: " + why);
        System.exit(1);
    }
}
