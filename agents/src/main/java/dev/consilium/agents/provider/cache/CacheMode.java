package dev.consilium.agents.provider.cache;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.consilium.agents.provider.ProviderException;

import java.util.Locale;

/** How a {@link ResponseCache} is used. */
public enum CacheMode {
    /** Serve stored responses; call the model on a miss and store its response. */
    READ_WRITE,
    /** Replay: serve stored responses; a miss is an error, so an experiment reruns offline or not at all. */
    READ_ONLY,
    /** Every call goes to the model; nothing is read or stored. */
    OFF;

    /** A mode as a file or command line spells it: {@code read-write}, {@code read_only}, {@code OFF}, ... */
    @JsonCreator
    public static CacheMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ProviderException("unknown cache mode '" + text + "'; choose read-write, read-only or off");
        }
    }
}
