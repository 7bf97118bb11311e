package dev.consilium.moe.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class EmbeddingTest {
    @Test
    void backwardAddsEachRowGradientToItsTokenRow() {
        int V = 4, H = 3;
        float[] P = {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32};
        int[] tokens = {2, 0, 2};
        float[] out = new float[3 * H];
        Embedding.forward(out, P, 0, tokens, 3, H);
        assertArrayEquals(new float[] {20, 21, 22, 0, 1, 2, 20, 21, 22}, out);
        float[] G = new float[V * H];
        Embedding.backward(G, 0, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, tokens, 3, H);
        assertArrayEquals(new float[] {4, 5, 6, 0, 0, 0, 8, 10, 12, 0, 0, 0}, G);
    }
}
