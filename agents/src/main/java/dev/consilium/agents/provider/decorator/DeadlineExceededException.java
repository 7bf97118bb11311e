package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ProviderException;

/** A call ran past its deadline and was cancelled. Not retried: the deadline covers the retries. */
public class DeadlineExceededException extends ProviderException {
    public DeadlineExceededException(String message) {
        super(message);
    }
}
