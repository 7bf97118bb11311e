package dev.consilium.agents.provider.decorator;

import com.fasterxml.jackson.core.JacksonException;
import dev.consilium.agents.provider.cache.CacheMissException;
import dev.consilium.agents.provider.http.ProviderHttpException;
import dev.consilium.agents.provider.ledger.BudgetExceededException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RetriableException;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CancellationException;

/**
 * How the decorators read a failure. Vendor clients wrap the cause differently (LangChain4j maps an HTTP error
 * to a typed exception whose cause is the {@link HttpException}; a transport error arrives as a
 * {@code RuntimeException} around an {@link IOException}), so every question walks the whole cause chain.
 */
public final class Failures {

    private Failures() {}

    /**
     * Worth another attempt at the same deployment: HTTP 408, 429, 5xx (529 "overloaded" included), a timeout, a
     * refused or reset connection. Never a 4xx that the same request will get again (400, 401, 403, 404, 422),
     * a response that is not valid JSON, a spent budget, a replay-cache miss, an expired deadline or an interrupt.
     */
    public static boolean isRetriable(Throwable t) {
        if (isTerminal(t)) return false;
        OptionalInt status = httpStatus(t);
        if (status.isPresent()) return isRetriableStatus(status.getAsInt());
        if (find(t, JacksonException.class) != null) return false;
        return find(t, RetriableException.class) != null || find(t, IOException.class) != null
                || find(t, java.util.concurrent.TimeoutException.class) != null;
    }

    public static boolean isRetriableStatus(int status) {
        return status == 408 || status == 429 || (status >= 500 && status < 600);
    }

    /**
     * The caller's own problem, which another deployment would not solve: a request the server rejected as
     * invalid (400, 422 and other 4xx except auth, not-found, timeout and rate limit, which are the
     * deployment's), or a terminal condition of this layer. No fallback is tried for these.
     */
    public static boolean isCallerFault(Throwable t) {
        if (isTerminal(t)) return true;
        OptionalInt status = httpStatus(t);
        if (status.isEmpty()) return false;
        int s = status.getAsInt();
        return s >= 400 && s < 500 && s != 401 && s != 403 && s != 404 && s != 408 && s != 429;
    }

    public static OptionalInt httpStatus(Throwable t) {
        HttpException http = find(t, HttpException.class);
        return http == null ? OptionalInt.empty() : OptionalInt.of(http.statusCode());
    }

    public static Optional<Duration> retryAfter(Throwable t) {
        ProviderHttpException http = find(t, ProviderHttpException.class);
        return http == null ? Optional.empty() : http.retryAfter();
    }

    /** One line for an error message: the status and body excerpt, or the transport or parse problem. */
    public static String describe(Throwable t) {
        HttpException http = find(t, HttpException.class);
        if (http != null) return "HTTP " + http.statusCode() + ": " + excerpt(http.getMessage());
        JacksonException json = find(t, JacksonException.class);
        if (json != null) return "the response is not valid JSON: " + excerpt(json.getOriginalMessage());
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String message = root.getMessage() == null ? "" : ": " + excerpt(root.getMessage());
        return root.getClass().getSimpleName() + message;
    }

    private static boolean isTerminal(Throwable t) {
        return find(t, BudgetExceededException.class) != null
                || find(t, CacheMissException.class) != null
                || find(t, DeadlineExceededException.class) != null
                || find(t, InterruptedException.class) != null
                || find(t, ClosedByInterruptException.class) != null
                || find(t, CancellationException.class) != null;
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }

    private static String excerpt(String s) {
        if (s == null) return "";
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
    }
}
