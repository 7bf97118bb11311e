package dev.consilium.moe.checkpoint;

/**
 * A matrix (rows, cols) quantized as DeepSeek-V3 ships its weights: e4m3 values and one float
 * {@code weight_scale_inv} per 128x128 block, (ceil(rows/128), ceil(cols/128)), with
 * {@code w ~ value * scaleInv}. Each block's scale maps its largest magnitude onto e4m3's 448, the way the
 * reference {@code act_quant} scales activations (amax clamped at 1e-4 so an all-zero block divides safely).
 */
public record BlockFp8(byte[] values, float[] scaleInv) {
    public static final int BLOCK = SafetensorsReader.FP8_BLOCK;
    private static final float E4M3_MAX = 448f;

    /** Quantizes w (rows, cols), row-major from {@code off}; a NaN or infinite weight is refused. */
    public static BlockFp8 quantize(float[] w, int off, int rows, int cols) {
        int br = (rows + BLOCK - 1) / BLOCK, bc = (cols + BLOCK - 1) / BLOCK;
        byte[] values = new byte[rows * cols];
        float[] scaleInv = new float[br * bc];
        for (int bi = 0; bi < br; bi++) {
            for (int bj = 0; bj < bc; bj++) {
                int r1 = Math.min(rows, (bi + 1) * BLOCK), c0 = bj * BLOCK, c1 = Math.min(cols, c0 + BLOCK);
                float amax = 1e-4f;
                for (int r = bi * BLOCK; r < r1; r++) {
                    for (int c = c0; c < c1; c++) amax = Math.max(amax, Math.abs(w[off + r * cols + c]));
                }
                if (!Float.isFinite(amax)) {
                    throw new IllegalArgumentException("non-finite weight in block [" + bi + "][" + bj + "]");
                }
                float s = amax / E4M3_MAX;
                scaleInv[bi * bc + bj] = s;
                for (int r = bi * BLOCK; r < r1; r++) {
                    for (int c = c0; c < c1; c++) values[r * cols + c] = FloatFormats.floatToE4m3(w[off + r * cols + c] / s);
                }
            }
        }
        return new BlockFp8(values, scaleInv);
    }
}
