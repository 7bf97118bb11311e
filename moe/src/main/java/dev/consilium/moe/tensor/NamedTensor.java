package dev.consilium.moe.tensor;

import java.util.Arrays;

/**
 * A named view of {@code numel(shape)} floats inside a larger flat buffer, in row-major order. The name is
 * the Hugging Face DeepSeek-V3 tensor name ({@code model.layers.0.self_attn.kv_b_proj.weight}) so the
 * same view serves the model, its gradients, the optimizer and the checkpoint files.
 */
public record NamedTensor(String name, int[] shape, float[] data, int offset) {

    public NamedTensor {
        shape = shape.clone();
        long n = numel(shape);
        if (offset < 0 || offset + n > data.length) {
            throw new IllegalArgumentException(name + ": view [" + offset + ", " + (offset + n)
                    + ") lies outside a buffer of " + data.length);
        }
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return (int) numel(shape);
    }

    public float get(int i) {
        return data[offset + i];
    }

    /** The same view over another buffer of the same layout, e.g. the gradients of these parameters. */
    public NamedTensor over(float[] other) {
        return new NamedTensor(name, shape, other, offset);
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
