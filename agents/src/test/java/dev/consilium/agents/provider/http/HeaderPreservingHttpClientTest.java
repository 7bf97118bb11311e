package dev.consilium.agents.provider.http;

import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class HeaderPreservingHttpClientTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    private static Duration retryAfter(String name, String value) {
        return HeaderPreservingHttpClient.retryAfter(HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true), NOW);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertEquals(Duration.ofSeconds(7), retryAfter("retry-after", "7"));
        assertEquals(Duration.ofSeconds(90), retryAfter("retry-after", "Wed, 01 Jan 2025 00:01:30 GMT"));
        assertEquals(Duration.ZERO, retryAfter("retry-after", "Tue, 31 Dec 2024 23:59:00 GMT"));
    }

    @Test
    void retryAfterMillisecondsWinsAndGarbageIsIgnored() {
        var headers = HttpHeaders.of(Map.of("retry-after-ms", List.of("1500"), "retry-after", List.of("9")), (a, b) -> true);
        assertEquals(Duration.ofMillis(1500), HeaderPreservingHttpClient.retryAfter(headers, NOW));
        assertNull(retryAfter("retry-after", "soon"));
        assertNull(HeaderPreservingHttpClient.retryAfter(HttpHeaders.of(Map.of(), (a, b) -> true), NOW));
    }
}
