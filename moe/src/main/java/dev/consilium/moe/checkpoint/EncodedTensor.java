package dev.consilium.moe.checkpoint;

import dev.consilium.moe.tensor.NamedTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as a safetensors file stores it: its dtype and its raw little-endian bytes. What
 * {@link SafetensorsWriter#writeEncoded} takes when tensors of one file differ in dtype, as in an FP8
 * checkpoint (e4m3 weights, F32 scales, BF16 norms).
 */
public record EncodedTensor(String name, DType dtype, int[] shape, byte[] data) {
    public EncodedTensor {
        shape = shape.clone();
        long need = NamedTensor.numel(shape) * dtype.bytes();
        if (data.length != need) {
            throw new IllegalArgumentException("tensor '" + name + "': " + data.length + " bytes, but " + dtype + " "
                    + Arrays.toString(shape) + " needs " + need);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The tensor's floats as F32, or rounded to BF16. */
    public static EncodedTensor of(NamedTensor t, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(t.size() * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = t.data();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(data, t.offset(), t.size());
            case BF16 -> {
                for (int i = 0; i < t.size(); i++) b.putShort(FloatFormats.floatToBf16(data[t.offset() + i]));
            }
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "': encodes floats as F32 or BF16, not " + dtype);
        }
        return new EncodedTensor(t.name(), dtype, t.shape(), b.array());
    }
}
