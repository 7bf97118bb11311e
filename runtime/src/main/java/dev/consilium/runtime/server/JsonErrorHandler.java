package dev.consilium.runtime.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * The errors Jetty answers itself, in OpenAI's shape instead of its HTML page: requests whose HTTP framing is
 * broken (a Content-Length that is no length, headers past the limit), which never reach an endpoint, and the 503
 * of a request that arrives on an open connection while the server shuts down. An OpenAI client then shows what
 * was wrong instead of failing to parse the body.
 */
final class JsonErrorHandler extends ErrorHandler {
    private final int maxHeaderBytes;

    JsonErrorHandler(int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        String reason = request.getAttribute(ERROR_MESSAGE) instanceof String m ? m : null;
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(ERROR_CACHE_CONTROL);
        response.write(true, body(status, reason), callback);
        return true;
    }

    /** Used where no request could be made of the bytes at all. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        return body(status, reason);
    }

    private ByteBuffer body(int status, String reason) {
        ApiException e = status == HttpStatus.SERVICE_UNAVAILABLE_503 ? ApiException.shuttingDown()
                : ApiException.http(status, message(status, reason));
        try {
            return ByteBuffer.wrap(Wire.JSON.writeValueAsBytes(OpenAiServer.errorBody(e)));
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("cannot write an error body", x);
        }
    }

    private String message(int status, String reason) {
        return switch (status) {
            case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> "The request's headers are larger than this server's "
                    + "limit of " + maxHeaderBytes + " bytes in all; send fewer or shorter headers";
            default -> {
                String what = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
                yield status < 500 ? "The HTTP request is malformed: " + what : what;
            }
        };
    }
}
