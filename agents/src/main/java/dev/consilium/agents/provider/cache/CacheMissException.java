package dev.consilium.agents.provider.cache;

import dev.consilium.agents.provider.ProviderException;

/** Replay mode met a request it has no recorded response for. Never retried and never a reason to fall back. */
public class CacheMissException extends ProviderException {
    public CacheMissException(String message) {
        super(message);
    }
}
