package dev.consilium.agents.provider.decorator;

import dev.consilium.agents.provider.ProviderException;

/** Every deployment of a fallback group failed or was skipped; each one's failure is a suppressed exception. */
public class FallbackExhaustedException extends ProviderException {
    public FallbackExhaustedException(String message) {
        super(message);
    }
}
