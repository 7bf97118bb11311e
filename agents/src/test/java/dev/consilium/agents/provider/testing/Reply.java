package dev.consilium.agents.provider.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** What the {@link FixtureServer} does with one request. */
public record Reply(Kind kind, int status, String contentType, String body, Map<String, String> headers) {

    public enum Kind { RESPOND, RESET, HANG }

    /** A fixture file with status 200; its content type follows its extension (.json, .sse, .ndjson). */
    public static Reply fixture(String name) {
        return fixture(200, name);
    }

    public static Reply fixture(int status, String name) {
        String type = name.endsWith(".sse") ? "text/event-stream"
                : name.endsWith(".ndjson") ? "application/x-ndjson" : "application/json";
        return status(status, type, FixtureServer.fixture(name));
    }

    public static Reply status(int status, String contentType, String body) {
        return new Reply(Kind.RESPOND, status, contentType, body, Map.of());
    }

    /** Closes the connection without answering. */
    public static Reply reset() {
        return new Reply(Kind.RESET, 0, "", "", Map.of());
    }

    /** Never answers (until the server closes): a response slower than any deadline. */
    public static Reply hang() {
        return new Reply(Kind.HANG, 0, "", "", Map.of());
    }

    public Reply header(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(kind, status, contentType, body, h);
    }
}
