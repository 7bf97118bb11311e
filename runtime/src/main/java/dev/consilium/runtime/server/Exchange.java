package dev.consilium.runtime.server;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * One request and its response as the endpoints see them: blocking reads and writes, which cost nothing on the
 * request's virtual thread. A failed write is an IOException: the client went away.
 */
final class Exchange {
    private final Request request;
    private final Response response;
    private boolean responded;

    Exchange(Request request, Response response) {
        this.request = request;
        this.response = response;
    }

    String method() {
        return request.getMethod();
    }

    /** The decoded path, without the query. */
    String path() {
        return request.getHttpURI().getDecodedPath();
    }

    /** The first value of a request header, or null. */
    String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The body's length as its Content-Length declares it, or -1 when it is chunked. */
    long declaredLength() {
        return request.getLength();
    }

    InputStream body() {
        return Content.Source.asInputStream(request);
    }

    /** Whether a status line went out (or is about to): after it, an error can only be told inside the body. */
    boolean responded() {
        return responded;
    }

    /** A whole response with its length. */
    void send(int status, String contentType, byte[] body, int retryAfterSeconds) throws IOException {
        responded = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (retryAfterSeconds > 0) response.getHeaders().put(HttpHeader.RETRY_AFTER, retryAfterSeconds);
        Content.Sink.write(response, true, ByteBuffer.wrap(body));
    }

    void sendJson(int status, Object body) throws IOException {
        send(status, "application/json", Wire.JSON.writeValueAsBytes(body), 0);
    }

    /** Sends a 200 whose body follows in {@link #write} calls (chunked), for server-sent events. */
    void startStream(String contentType) throws IOException {
        responded = true;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        Content.Sink.write(response, false, ByteBuffer.allocate(0)); // commits: the headers go out now
    }

    /** Sends {@code bytes} now (not buffered): a client sees each event as it is written. */
    void write(byte[] bytes) throws IOException {
        Content.Sink.write(response, false, ByteBuffer.wrap(bytes));
    }
}
