package dev.consilium.moe.model;

import java.util.Arrays;

/**
 * Backward-pass scratch shared by every layer: backward runs one layer at a time, so one buffer per role is
 * enough. Buffers grow to the largest request and are then reused, so steady-state steps allocate nothing.
 * Contents are undefined on return; callers that accumulate must zero first.
 */
final class BackwardScratch {
    enum Slot {
        BLOCK_DLN,
        MLP_DACT, MLP_DGU,
        ATT_DOUT, ATT_DP1, ATT_DQ, ATT_DQAN, ATT_DKVB, ATT_DKVN, ATT_DKPE_HEADS,
        MOE_XG, MOE_DEO, MOE_DACT, MOE_DGU, MOE_DXG, MOE_DWTS, MOE_DSCORES, MOE_DLOGITS, MOE_BALANCE,
        MTP_DSN, MTP_DCAT, MTP_DEMB, MTP_WEIGHTS,
        MODEL_DFINAL, MODEL_DRES
    }

    private final float[][] slots = new float[Slot.values().length][];

    float[] get(Slot slot, int size) {
        float[] a = slots[slot.ordinal()];
        if (a == null || a.length < size) {
            a = new float[size];
            slots[slot.ordinal()] = a;
        }
        return a;
    }

    /** A buffer of at least {@code size} whose first {@code size} floats are zero. */
    float[] zeroed(Slot slot, int size) {
        float[] a = get(slot, size);
        Arrays.fill(a, 0, size, 0f);
        return a;
    }
}
