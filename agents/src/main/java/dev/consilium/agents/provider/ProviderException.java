package dev.consilium.agents.provider;

import dev.langchain4j.exception.LangChain4jException;

/**
 * A provider-layer failure: a bad model ref or providers file, a missing key variable, a call that could not
 * be made. Unchecked, and a {@link LangChain4jException} so code written against LangChain4j catches it too.
 * Messages name the deployment, ref, file or variable at fault and never contain a key's value.
 */
public class ProviderException extends LangChain4jException {
    public ProviderException(String message) {
        super(Secrets.redact(message));
    }

    public ProviderException(String message, Throwable cause) {
        super(Secrets.redact(message), cause);
    }
}
