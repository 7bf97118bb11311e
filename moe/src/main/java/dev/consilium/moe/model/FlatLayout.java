package dev.consilium.moe.model;

import dev.consilium.moe.tensor.NamedTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Places named tensors one after another in a single flat float[] (llm.c style). The same offsets address
 * the parameters and their gradients, so the optimizer and the checkpoint see one buffer each.
 */
final class FlatLayout {
    /** How a tensor starts life: matrices drawn from a normal, RMSNorm gains at one, biases at zero. */
    enum Init { NORMAL, ONES, ZEROS }

    private record Entry(String name, int[] shape, int offset, Init init) {}

    private final List<Entry> entries = new ArrayList<>();
    private long size;

    /** Reserves numel(shape) floats for {@code name}; returns its offset. */
    int add(String name, Init init, int... shape) {
        long n = NamedTensor.numel(shape);
        if (size + n > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(name + ": the model needs more than 2^31 floats in one buffer");
        }
        int off = (int) size;
        entries.add(new Entry(name, shape.clone(), off, init));
        size += n;
        return off;
    }

    int size() {
        return (int) size;
    }

    /** Each tensor's name and shape (a copy), in layout order. */
    void shapesInto(Map<String, int[]> out) {
        for (Entry e : entries) out.put(e.name, e.shape.clone());
    }

    List<NamedTensor> views(float[] data) {
        List<NamedTensor> out = new ArrayList<>(entries.size());
        for (Entry e : entries) out.add(new NamedTensor(e.name, e.shape, data, e.offset));
        return List.copyOf(out);
    }

    /**
     * Fills {@code data} deterministically from {@code seed}: each tensor draws from its own split of one
     * generator, in layout order, so the values depend only on the seed and the config.
     */
    void initialize(float[] data, long seed, float std) {
        SplittableRandom root = new SplittableRandom(seed);
        for (Entry e : entries) {
            SplittableRandom r = root.split();
            int n = (int) NamedTensor.numel(e.shape);
            switch (e.init) {
                case NORMAL -> {
                    for (int i = 0; i < n; i++) data[e.offset + i] = (float) (r.nextGaussian() * std);
                }
                case ONES -> Arrays.fill(data, e.offset, e.offset + n, 1f);
                case ZEROS -> Arrays.fill(data, e.offset, e.offset + n, 0f);
            }
        }
    }
}
