package dev.consilium.agents;

/**
 * An agent with an output type answered twice (once more after being shown the parse error) with text that is
 * not the JSON its type asks for. The trajectory keeps both replies.
 */
public class InvalidOutputException extends RuntimeException {
    public InvalidOutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
