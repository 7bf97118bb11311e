package dev.consilium.moe.train.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PackedBatchTest {

    @Test
    void rowsHoldPromptAndCompletionWithNextTokenTargetsAndWeighOnlyTrainedCompletionTokens() {
        Rollout a = Rollout.builder(new int[] {1, 2, 3}, new int[] {4, 5}).build();
        Rollout b = Rollout.builder(new int[] {6}, new int[] {7, 8, 9}).mask(new boolean[] {true, false, true}).build();
        PackedBatch p = PackedBatch.pack(List.of(a, b), 8);
        assertEquals(2, p.batchSize());
        assertEquals(4, p.seqLen(), "the longest row: 3 + 2 - 1 positions");
        assertArrayEquals(new int[] {1, 2, 3, 4, 6, 7, 8, 0}, p.tokens());
        assertArrayEquals(new int[] {2, 3, 4, 5, 7, 8, 9, 0}, p.targets());
        assertArrayEquals(new float[] {0, 0, 1, 1, 1, 0, 1, 0}, p.mask());
        assertEquals(6, p.position(1, 2));
        assertEquals(2, p.trainedTokens(1));
        assertEquals(-0.5 - 0.25, p.completionLogProb(1, new float[] {9, 9, 9, 9, -0.5f, 9, -0.25f, 9}));
    }

    @Test
    void errorsNameTheSample() {
        Rollout longer = Rollout.builder(new int[] {1, 2, 3}, new int[] {4, 5, 6}).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PackedBatch.pack(List.of(Rollout.builder(new int[] {1}, new int[] {2}).build(), longer), 4));
        assertTrue(e.getMessage().startsWith("completion 1 of the batch needs 5 positions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Rollout.builder(new int[0], new int[] {2}).build());
        assertTrue(e.getMessage().contains("prompt is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Rollout.builder(new int[] {1}, new int[] {2, 3}).logProbs(new float[1]).build());
        assertEquals("rollout: 1 sampling log-probs for 2 completion tokens", e.getMessage());
    }
}
