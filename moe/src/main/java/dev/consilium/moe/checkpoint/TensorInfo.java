package dev.consilium.moe.checkpoint;

import dev.consilium.moe.tensor.NamedTensor;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One header entry of a safetensors file.
 *
 * @param begin byte offset of the first element, counted from the start of the data section (after the
 *              8-byte length and the header), as {@code data_offsets[0]} in the file.
 * @param end   byte offset one past the last element ({@code data_offsets[1]}).
 */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end, Path file) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public long numel() {
        return NamedTensor.numel(shape);
    }

    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end && file.equals(t.file);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
