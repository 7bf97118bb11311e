package dev.consilium.moe.checkpoint;

/**
 * The element types a safetensors header may name, with their sizes in bytes. All are known so that a file
 * holding, say, an I64 buffer beside its weights still validates; only the float types convert to float.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4),
    F64(8), I64(8), U64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Whether {@link SafetensorsReader} converts this type to float on load. */
    public boolean readsAsFloat() {
        return this == F32 || this == BF16 || this == F16 || this == F8_E4M3;
    }

    /** The type named in a header, or null when the name is not a safetensors type this code knows. */
    static DType parse(String name) {
        for (DType t : values()) if (t.name().equals(name)) return t;
        return null;
    }
}
