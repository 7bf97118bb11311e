package dev.consilium.moe.tokenizer;

/** A tokenizer that cannot be loaded, saved or built; the message names the file and the JSON path at fault. */
public class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
