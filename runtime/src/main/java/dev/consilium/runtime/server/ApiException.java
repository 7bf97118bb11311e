package dev.consilium.runtime.server;

/**
 * A request the server refuses, carried to the client as OpenAI's error object
 * {@code {"error": {"message", "type", "param", "code"}}} with its HTTP status.
 *
 * @param param             the request field at fault ({@code "temperature"}, {@code "messages[1].role"}), or null
 * @param retryAfterSeconds sent as {@code Retry-After} when positive (429)
 */
final class ApiException extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;
    final int retryAfterSeconds;

    private ApiException(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: a field is missing, of the wrong type or out of range. */
    static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message, 0);
    }

    /** 400: the body is not JSON. */
    static ApiException invalidJson(String message) {
        return new ApiException(400, "invalid_request_error", null, "invalid_json", message, 0);
    }

    /** 400: a field this server understands but does not implement (tools, penalties, ...). */
    static ApiException unsupported(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "unsupported_parameter", message, 0);
    }

    /** 400: prompt plus requested tokens do not fit the model's context. */
    static ApiException contextOverflow(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "context_length_exceeded", message, 0);
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, "invalid_request_error", null, "invalid_api_key", message, 0);
    }

    static ApiException unknownModel(String model, String served) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist; this server serves '" + served + "'", 0);
    }

    static ApiException unknownPath(String method, String path) {
        return new ApiException(404, "invalid_request_error", null, "unknown_url",
                "Invalid URL (" + method + " " + path + ")", 0);
    }

    static ApiException methodNotAllowed(String method, String path, String allowed) {
        return new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                method + " is not allowed on " + path + "; use " + allowed, 0);
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "The request body is larger than this server's limit of " + limit + " bytes", 0);
    }

    static ApiException queueFull(String message) {
        return new ApiException(429, "rate_limit_error", null, "queue_full",
                "The server is at capacity (" + message + ")", 1);
    }

    static ApiException shuttingDown() {
        return new ApiException(503, "server_error", null, "shutting_down", "The server is shutting down", 0);
    }

    /**
     * A request the HTTP layer refused before any endpoint saw it (a bad Content-Length, headers past the limit),
     * or an error it raised itself; {@code code} is {@code http_STATUS}, as no OpenAI code names these.
     */
    static ApiException http(int status, String message) {
        return new ApiException(status, status < 500 ? "invalid_request_error" : "server_error", null,
                "http_" + status, message, 0);
    }

    /** 500: the model itself failed; never used for bad input. */
    static ApiException internal(String message) {
        return new ApiException(500, "server_error", null, "internal_error", message, 0);
    }
}
