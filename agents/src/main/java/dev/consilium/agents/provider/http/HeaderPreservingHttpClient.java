package dev.consilium.agents.provider.http;

import dev.consilium.agents.provider.Secrets;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.jdk.JdkHttpClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Authenticator;
import java.net.ConnectException;
import java.net.URI;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The JDK HTTP client with three changes, all to failures: a non-2xx response fails with a
 * {@link ProviderHttpException} that keeps the {@code Retry-After} header; its body is {@linkplain Secrets#redact
 * redacted} of API keys; and a server that cannot be reached is named by its URL. LangChain4j's
 * {@link JdkHttpClient} (which every vendor client here uses) drops response headers on failure, and a retry that
 * ignores the server's {@code Retry-After} only gets throttled again. This is where upstream errors become this
 * layer's exceptions, so redacting here means no message, log or journal downstream ever holds a key an
 * upstream echoed. Everything else is the JDK client's and LangChain4j's own behaviour; no request is changed.
 */
public final class HeaderPreservingHttpClient extends HttpClient {

    private final HttpClient delegate;
    private final String unreachableHint;

    private HeaderPreservingHttpClient(HttpClient delegate, String unreachableHint) {
        this.delegate = delegate;
        this.unreachableHint = unreachableHint;
    }

    /**
     * A LangChain4j HTTP client builder to hand to a vendor model's {@code httpClientBuilder(...)}.
     *
     * @param cleartext whether the base URL is {@code http://}: then the client speaks HTTP/1.1 only. The JDK
     *                  client's default, HTTP/2, makes it ask every cleartext request to upgrade to h2c, which the
     *                  local servers this is for (vLLM, llama.cpp, Ollama, Consilium's own) do not speak
     * @param unreachableHint what a failure to connect adds after the URL, e.g. that a local server may not be running
     */
    public static HttpClientBuilder langChain4jBuilder(boolean cleartext, String unreachableHint) {
        HttpClient.Builder jdk = HttpClient.newBuilder();
        if (cleartext) jdk.version(HttpClient.Version.HTTP_1_1);
        return JdkHttpClient.builder().httpClientBuilder(new Builder(jdk, unreachableHint));
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        try {
            return failIfUnsuccessful(delegate.send(request, handler));
        } catch (ConnectException e) {
            throw unreachable(request, e);
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return withUrl(request, delegate.sendAsync(request, handler).thenApply(HeaderPreservingHttpClient::failIfUnsuccessful));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(
            HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
        return withUrl(request, delegate.sendAsync(request, handler, push).thenApply(HeaderPreservingHttpClient::failIfUnsuccessful));
    }

    private static <T> HttpResponse<T> failIfUnsuccessful(HttpResponse<T> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) return response;
        throw new ProviderHttpException(status, Secrets.redact(bodyText(response.body())),
                retryAfter(response.headers(), Instant.now()));
    }

    private <T> CompletableFuture<HttpResponse<T>> withUrl(HttpRequest request, CompletableFuture<HttpResponse<T>> call) {
        return call.exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof ConnectException c ? unreachable(request, c) : e);
        });
    }

    /**
     * The JDK says only "Connection refused", often with no message at all; the user needs the URL that failed.
     * Still a {@link ConnectException}, so the retry decorator treats it as before; the original is kept as
     * suppressed rather than as the cause, so that messages built from the root cause show this one.
     */
    private ConnectException unreachable(HttpRequest request, ConnectException e) {
        String why = null;
        for (Throwable c = e; c != null && why == null; c = c.getCause()) why = c.getMessage();
        URI uri = request.uri();
        String url = uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
        ConnectException named = new ConnectException("cannot connect to " + url + " (" + (why == null ? "connection refused" : why)
                + "); " + unreachableHint);
        named.addSuppressed(e);
        return named;
    }

    private static String bodyText(Object body) {
        return switch (body) {
            case null -> "";
            case byte[] bytes -> new String(bytes, StandardCharsets.UTF_8);
            case String s -> s;
            case InputStream in -> {
                try (in) {
                    yield new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the error response body", e);
                }
            }
            default -> String.valueOf(body);
        };
    }

    /**
     * {@code retry-after-ms} (milliseconds, sent by some OpenAI-compatible servers) wins over {@code Retry-After},
     * which is either delay-seconds or an HTTP-date (RFC 9110 section 10.2.3). Unparseable values are ignored.
     */
    static Duration retryAfter(HttpHeaders headers, Instant now) {
        Optional<String> millis = headers.firstValue("retry-after-ms");
        if (millis.isPresent()) {
            try {
                return Duration.ofMillis(Math.max(0, Math.round(Double.parseDouble(millis.get().trim()))));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        Optional<String> value = headers.firstValue("retry-after");
        if (value.isEmpty()) return null;
        String v = value.get().trim();
        try {
            return Duration.ofMillis(Math.max(0, Math.round(Double.parseDouble(v) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    // Plain delegation from here on.

    @Override public Optional<CookieHandler> cookieHandler() { return delegate.cookieHandler(); }
    @Override public Optional<Duration> connectTimeout() { return delegate.connectTimeout(); }
    @Override public Redirect followRedirects() { return delegate.followRedirects(); }
    @Override public Optional<ProxySelector> proxy() { return delegate.proxy(); }
    @Override public SSLContext sslContext() { return delegate.sslContext(); }
    @Override public SSLParameters sslParameters() { return delegate.sslParameters(); }
    @Override public Optional<Authenticator> authenticator() { return delegate.authenticator(); }
    @Override public Version version() { return delegate.version(); }
    @Override public Optional<Executor> executor() { return delegate.executor(); }
    @Override public void shutdown() { delegate.shutdown(); }
    @Override public boolean awaitTermination(Duration d) throws InterruptedException { return delegate.awaitTermination(d); }
    @Override public boolean isTerminated() { return delegate.isTerminated(); }
    @Override public void shutdownNow() { delegate.shutdownNow(); }
    @Override public void close() { delegate.close(); }

    /** The JDK builder whose {@link #build()} wraps; LangChain4j's JDK client sets timeouts through it. */
    private record Builder(HttpClient.Builder delegate, String unreachableHint) implements HttpClient.Builder {
        @Override public HttpClient.Builder cookieHandler(CookieHandler h) { delegate.cookieHandler(h); return this; }
        @Override public HttpClient.Builder connectTimeout(Duration d) { delegate.connectTimeout(d); return this; }
        @Override public HttpClient.Builder sslContext(SSLContext c) { delegate.sslContext(c); return this; }
        @Override public HttpClient.Builder sslParameters(SSLParameters p) { delegate.sslParameters(p); return this; }
        @Override public HttpClient.Builder executor(Executor e) { delegate.executor(e); return this; }
        @Override public HttpClient.Builder followRedirects(Redirect r) { delegate.followRedirects(r); return this; }
        @Override public HttpClient.Builder version(Version v) { delegate.version(v); return this; }
        @Override public HttpClient.Builder priority(int p) { delegate.priority(p); return this; }
        @Override public HttpClient.Builder proxy(ProxySelector p) { delegate.proxy(p); return this; }
        @Override public HttpClient.Builder authenticator(Authenticator a) { delegate.authenticator(a); return this; }
        @Override public HttpClient.Builder localAddress(InetAddress a) { delegate.localAddress(a); return this; }
        @Override public HttpClient build() { return new HeaderPreservingHttpClient(delegate.build(), unreachableHint); }
    }
}
