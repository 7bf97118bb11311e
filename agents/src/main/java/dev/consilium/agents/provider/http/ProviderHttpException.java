package dev.consilium.agents.provider.http;

import dev.langchain4j.exception.HttpException;

import java.time.Duration;
import java.util.Optional;

/**
 * A non-2xx response, with the server's {@code Retry-After} when it sent one. LangChain4j's own
 * {@link HttpException} keeps only status and body; this subclass is what {@link HeaderPreservingHttpClient}
 * throws, so vendor clients map it exactly as before (429 to a rate-limit exception, 5xx to a server error) and
 * the retry decorator still finds the header in the cause chain.
 */
public class ProviderHttpException extends HttpException {

    private final Duration retryAfter;

    public ProviderHttpException(int statusCode, String body, Duration retryAfter) {
        super(statusCode, body);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
