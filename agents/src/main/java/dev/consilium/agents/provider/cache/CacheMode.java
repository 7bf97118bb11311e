package dev.consilium.agents.provider.cache;

/** How a {@link ResponseCache} is used. */
public enum CacheMode {
    /** Serve stored responses; call the model on a miss and store its response. */
    READ_WRITE,
    /** Replay: serve stored responses; a miss is an error, so an experiment reruns offline or not at all. */
    READ_ONLY,
    /** Every call goes to the model; nothing is read or stored. */
    OFF
}
