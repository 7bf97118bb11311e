package dev.consilium.agents.provider.cache;

/**
 * @param hits   calls answered without a model call: from the store, or by joining an identical call in flight
 * @param misses calls that found nothing stored (each made one model call, except in replay mode)
 */
public record CacheStats(long hits, long misses) {}
