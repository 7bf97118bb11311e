package dev.consilium.moe.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static dev.consilium.moe.model.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MoeRouterTest {
    static final int E = 8, G = 4, TOPK_GROUP = 2, K = 2;

    static int[] select(float[] s, float[] bias) {
        int[] sel = new int[K];
        MoeRouter.select(sel, new float[E], new float[G], s, bias, 0, 1, E, K, G, TOPK_GROUP);
        return sel;
    }

    @Test
    void groupsScoreByTheirTopTwoAndOnlyTheBestGroupsCompete() {
        // groups (pairs): {0.9, 0.1} = 1.0, {0.6, 0.6} = 1.2, {0.55, 0.55} = 1.1, {0.2, 0.2} = 0.4.
        // Expert 0 has the best score but its group loses; ties go to the lower index.
        float[] s = {0.9f, 0.1f, 0.6f, 0.6f, 0.55f, 0.55f, 0.2f, 0.2f};
        assertArrayEquals(new int[] {2, 3}, select(s, new float[E]));
    }

    @Test
    void biasChangesTheSelectionButGateWeightsUseUnbiasedScores() {
        float[] s = {0.9f, 0.1f, 0.6f, 0.6f, 0.55f, 0.55f, 0.2f, 0.2f};
        float[] bias = new float[E];
        bias[7] = 1f; // group 3 now scores 1.4 and expert 7 ranks first
        int[] sel = select(s, bias);
        assertArrayEquals(new int[] {7, 2}, sel);
        float[] w = new float[K];
        MoeRouter.gateWeights(w, s, sel, 1, E, K, true, 2.5f);
        assertEquals(0.2f / 0.8f * 2.5f, w[0], 1e-6);
        assertEquals(0.6f / 0.8f * 2.5f, w[1], 1e-6);
    }

    @Test
    void withoutNormalizationGateWeightsAreScaledScores() {
        float[] s = {0.9f, 0.1f, 0.6f, 0.6f, 0.55f, 0.55f, 0.2f, 0.2f};
        float[] w = new float[K];
        MoeRouter.gateWeights(w, s, new int[] {2, 3}, 1, E, K, false, 2f);
        assertArrayEquals(new float[] {1.2f, 1.2f}, w, 1e-6f);
    }

    @Test
    void balanceLossFollowsTheReportsFormula() {
        // one sequence, T = 2, E = 2, K = 1; both tokens pick expert 0: f = (2/(1*2)*2, 0) = (2, 0);
        // P_0 = (0.75 + 0.5) / 2 = 0.625 (scores already sum to 1) -> L = 1.25
        float[] s = {0.75f, 0.25f, 0.5f, 0.5f};
        float loss = MoeRouter.balanceLoss(new float[2], s, new int[] {0, 0}, 1, 2, 2, 1);
        assertEquals(1.25f, loss, 1e-6);
    }

    @ParameterizedTest(name = "softmax={0}")
    @ValueSource(booleans = {false, true})
    void backwardThroughGateWeightsBalanceAndScoresMatchesFiniteDifferences(boolean softmax) {
        int B = 2, T = 3, N = B * T;
        float alpha = 0.7f, scale = 2.5f;
        boolean normalize = !softmax;
        SplittableRandom r = new SplittableRandom(softmax ? 8 : 9);
        float[] logits = randn(r, N * E, 1.5), s = new float[N * E], wts = new float[N * K], frac = new float[B * E];
        float[] dw = randn(r, N * K, 1);
        int[] sel = new int[N * K];
        MoeRouter.scores(s, logits, N, E, softmax);
        MoeRouter.select(sel, new float[N * E], new float[N * G], s, new float[E], 0, N, E, K, G, TOPK_GROUP);
        java.util.function.DoubleSupplier loss = () -> {
            MoeRouter.scores(s, logits, N, E, softmax);
            MoeRouter.gateWeights(wts, s, sel, N, E, K, normalize, scale);
            return dot(dw, wts, 0) + alpha * MoeRouter.balanceLoss(frac, s, sel, B, T, E, K);
        };
        loss.getAsDouble();
        float[] dScores = new float[N * E], dLogits = new float[N * E];
        MoeRouter.backwardGateWeights(dScores, dw, s, sel, N, E, K, normalize, scale);
        MoeRouter.backwardBalance(dScores, alpha, frac, s, B, T, E);
        MoeRouter.backwardScores(dLogits, dScores, s, N, E, softmax);
        assertGradient("dlogits", dLogits, numeric(logits, all(N * E), 1e-2f, loss), 2e-3);
    }
}
