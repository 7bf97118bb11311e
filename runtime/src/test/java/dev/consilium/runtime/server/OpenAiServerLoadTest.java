package dev.consilium.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.generate.SamplingParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The server under load: a full queue, a client that leaves mid-stream, shutdown with requests in flight. Each
 * test holds the decode thread still where it needs a fixed state: an in-process request whose listener waits
 * on a latch occupies the batch until the test lets it go.
 */
class OpenAiServerLoadTest {
    private static final String CHAT = """
            {"model": "tiny", "messages": [{"role": "user", "content": "the expert"}], "max_tokens": 5}""";

    @TempDir
    Path dir;

    /** An in-process request that holds the decode thread inside its first token until released. */
    record Gate(CompletableFuture<Completion> request, CountDownLatch release) {
        static Gate hold(OpenAiServer server) throws InterruptedException {
            CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
            CompletableFuture<Completion> f = server.service().submit(new int[] {5, 6, 7}, SamplingParams.greedy(2),
                    (token, text) -> {
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
            boolean reached = entered.await(20, TimeUnit.SECONDS);
            if (!reached) release.countDown();   // so that a late first token cannot freeze the decoder for good
            assertTrue(reached, "the gate request reached the decode thread");
            return new Gate(f, release);
        }
    }

    OpenAiServer server(Generator generator, int maxQueued) {
        return OpenAiServer.builder().generator(generator).modelName("tiny").port(0).maxQueued(maxQueued).start();
    }

    @Test
    void aFullQueueIs429WithRetryAfter() throws Exception {
        try (OpenAiServer server = server(TestModels.generator(TestModels.randomCheckpoint(dir, 96, 5), 1), 1)) {
            Gate gate = Gate.hold(server);
            CompletableFuture<Completion> queued;
            try {
                queued = server.service().submit(new int[] {5, 6}, SamplingParams.greedy(1), null);
                HttpResponse<String> r = new Http(server, null).post("/v1/chat/completions", CHAT);
                JsonNode e = OpenAiServerErrorsTest.error(r, 429);
                assertEquals("rate_limit_error", e.get("type").asText());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
            } finally {
                gate.release().countDown();   // else a failure above leaves close() waiting on the frozen decoder
            }
            queued.get(20, TimeUnit.SECONDS);
            assertEquals(200, new Http(server, null).post("/v1/chat/completions", CHAT).statusCode(), "served again once drained");
        }
    }

    @Test
    void aClientThatLeavesMidStreamIsCancelledAndFreesItsSlot() throws Exception {
        Generator generator = TestModels.generator(TestModels.endlessCheckpoint(dir, 1024, 5), 2);
        try (OpenAiServer server = OpenAiServer.builder().generator(generator).modelName("tiny").port(0)
                .streamKeepAlive(Duration.ofMillis(50)).start()) {
            String body = """
                    {"model": "tiny", "messages": [{"role": "user", "content": "the expert"}], "stream": true,
                     "max_tokens": 1000, "temperature": 1.0, "seed": 1}""";
            Gate gate = null;
            try {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                    int events = 0;
                    for (String line; events < 3 && (line = in.readLine()) != null; ) if (line.startsWith("data: ")) events++;
                    assertEquals(3, events, "the stream started");
                    // freeze decoding with the stream unfinished: from here on only a cancellation can end it
                    gate = Gate.hold(server);
                    assertEquals(1, server.activeRequests());
                }
                // the client is gone; the next keep-alive write finds out and cancels the request
                await().atMost(Duration.ofSeconds(20)).until(() -> server.activeRequests() == 0);
                assertEquals(1, server.disconnects());
            } finally {
                // a failure above must not leave close() waiting on the frozen decoder
                if (gate != null) gate.release().countDown();
            }
            gate.request().get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> generator.active() == 0);
            assertEquals(200, new Http(server, null).post("/v1/chat/completions", CHAT).statusCode());
        }
    }

    @Test
    void clientsThatResetMidRequestLeaveNoConnectionOpen() throws Exception {
        OpenAiServer server = server(TestModels.generator(TestModels.randomCheckpoint(dir, 96, 5), 1), 64);
        long before = RawHttp.openSockets();
        Gate gate = Gate.hold(server);
        byte[] request = ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + CHAT.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + CHAT)
                .getBytes(StandardCharsets.UTF_8);
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Socket s = new Socket("127.0.0.1", server.port());
            s.setSoLinger(true, 0); // close() sends RST, not FIN
            s.getOutputStream().write(request);
            clients.add(s);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> server.activeRequests() == 30);
        for (Socket s : clients) s.close();
        gate.release().countDown();
        // the requests end, their answers find nobody, and each connection is closed
        await().atMost(Duration.ofSeconds(20)).until(() -> server.activeRequests() == 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> RawHttp.openSockets() <= before);
        // so shutdown has nothing to wait for: not the 30 s grace
        long start = System.nanoTime();
        server.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "close() waited for connections that were gone");
    }

    @Test
    void aRequestWaitingOnTheModelOutlivesTheIdleTimeout() throws Exception {
        try (OpenAiServer server = OpenAiServer.builder().generator(TestModels.generator(TestModels.randomCheckpoint(dir, 96, 5), 1))
                .modelName("tiny").port(0).idleTimeout(Duration.ofMillis(300)).start()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
            CompletableFuture<HttpResponse<String>> waiting;
            Gate gate = Gate.hold(server);
            try {
                waiting = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
                await().atMost(Duration.ofSeconds(20)).until(() -> server.activeRequests() == 1);
                // a connection opened after the request and left idle is closed by the timeout: by then the request
                // has waited longer than the timeout without any I/O
                try (Socket idle = new Socket("127.0.0.1", server.port())) {
                    idle.setSoTimeout(20_000);
                    assertEquals(-1, idle.getInputStream().read(), "the idle connection was closed");
                }
            } finally {
                gate.release().countDown(); // else the decode thread stays held, and close() waits on it
            }
            HttpResponse<String> r = waiting.get(20, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @Test
    void shutdownFinishesRequestsInFlightAndRefusesNewConnections() throws Exception {
        OpenAiServer server = server(TestModels.generator(TestModels.randomCheckpoint(dir, 96, 5), 1), 4);
        Gate gate = Gate.hold(server);
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
        CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(20)).until(() -> server.activeRequests() == 1);
        Thread closer = Thread.ofPlatform().start(server::close);
        await().atMost(Duration.ofSeconds(20)).until(() -> refused(server.port()));
        gate.release().countDown();
        HttpResponse<String> r = inFlight.get(20, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("chat.completion", Http.json(r).get("object").asText(), r.body());
        closer.join(Duration.ofSeconds(20));
        assertFalse(closer.isAlive(), "close() returned once the request was done");
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
