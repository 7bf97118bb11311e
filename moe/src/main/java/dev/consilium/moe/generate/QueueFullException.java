package dev.consilium.moe.generate;

/** {@link GenerationService#submit} found its queue of waiting requests full; retry later. */
public final class QueueFullException extends RuntimeException {
    public QueueFullException(String message) {
        super(message);
    }
}
