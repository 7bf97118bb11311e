package dev.consilium.runtime.server;

/**
 * What one request may ask of the server. A request over a limit gets a 400 (413 for the body) naming it.
 *
 * @param maxBodyBytes the largest request body read; larger ones are refused unread with 413
 * @param maxTokens    new tokens per choice at most; null means as many as the context leaves
 * @param maxN         choices per request ({@code n}) at most
 * @param jsonAttempts generations per choice when {@code response_format} asks for JSON: an output that does
 *                     not parse (or lacks a required key) is generated again with the next seed, this many
 *                     times in all
 */
public record ServerLimits(int maxBodyBytes, Integer maxTokens, int maxN, int jsonAttempts) {
    /** 1 MiB bodies, tokens bounded by the context, n up to 8, 3 JSON attempts. */
    public static final ServerLimits DEFAULT = new ServerLimits(1 << 20, null, 8, 3);

    public ServerLimits {
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be >= 1, was " + maxBodyBytes);
        if (maxTokens != null && maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
        if (maxN < 1) throw new IllegalArgumentException("maxN must be >= 1, was " + maxN);
        if (jsonAttempts < 1) throw new IllegalArgumentException("jsonAttempts must be >= 1, was " + jsonAttempts);
    }

    public ServerLimits withMaxBodyBytes(int maxBodyBytes) {
        return new ServerLimits(maxBodyBytes, maxTokens, maxN, jsonAttempts);
    }

    public ServerLimits withMaxTokens(Integer maxTokens) {
        return new ServerLimits(maxBodyBytes, maxTokens, maxN, jsonAttempts);
    }

    public ServerLimits withMaxN(int maxN) {
        return new ServerLimits(maxBodyBytes, maxTokens, maxN, jsonAttempts);
    }

    public ServerLimits withJsonAttempts(int jsonAttempts) {
        return new ServerLimits(maxBodyBytes, maxTokens, maxN, jsonAttempts);
    }
}
