package dev.consilium.moe.checkpoint;

/** A checkpoint or safetensors file that cannot be read or written; the message names the file and tensor. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
