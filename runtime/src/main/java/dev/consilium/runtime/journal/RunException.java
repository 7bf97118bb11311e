package dev.consilium.runtime.journal;

/** A run directory that cannot be read or written; the message names the file and the cause. */
public class RunException extends RuntimeException {
    public RunException(String message) {
        super(message);
    }

    public RunException(String message, Throwable cause) {
        super(message, cause);
    }
}
