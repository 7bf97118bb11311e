package dev.consilium.moe.generate;

/**
 * Receives each new piece of output as it is decided (streaming). {@code text} may be "" when a token ends
 * inside a UTF-8 sequence or might begin a stop string; that text is carried into a later piece, so the
 * pieces concatenate to {@link Completion#text()}. Called on the decode thread: keep it quick.
 */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (token, text) -> { };

    void onToken(TokenLogprob token, String text);
}
