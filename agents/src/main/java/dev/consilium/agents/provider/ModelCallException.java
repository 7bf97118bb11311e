package dev.consilium.agents.provider;

/**
 * A model call that failed for good at one deployment: either the failure was not worth retrying (a 400, a 401,
 * a response that is not JSON) or the retries ran out. The message names the deployment, the number of
 * attempts and what went wrong; the vendor client's exception is the cause.
 */
public class ModelCallException extends ProviderException {

    private final int attempts;

    public ModelCallException(String message, int attempts, Throwable cause) {
        super(message, cause);
        this.attempts = attempts;
    }

    public int attempts() {
        return attempts;
    }
}
