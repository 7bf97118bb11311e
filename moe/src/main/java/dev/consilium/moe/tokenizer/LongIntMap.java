package dev.consilium.moe.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing map from a pair of non-negative ints, packed into a long, to an int. BPE probes its merge table
 * once per adjacent symbol pair, so the table avoids boxing and chained buckets.
 */
final class LongIntMap {
    private static final long FREE = -1L;

    private long[] keys;
    private int[] values;
    private int size;

    LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, FREE);
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | right;
    }

    static int left(long pair) {
        return (int) (pair >>> 32);
    }

    static int right(long pair) {
        return (int) pair;
    }

    int size() {
        return size;
    }

    int get(long key, int missing) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) return values[i];
            if (k == FREE) return missing;
        }
    }

    void put(long key, int value) {
        if (2 * (size + 1) > keys.length) grow();
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            if (keys[i] == FREE) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldValues.length * 2];
        Arrays.fill(keys, FREE);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) if (oldKeys[i] != FREE) put(oldKeys[i], oldValues[i]);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing spreads the packed (left, right) ids
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
