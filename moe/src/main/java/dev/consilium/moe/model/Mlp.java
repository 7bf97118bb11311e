package dev.consilium.moe.model;

import dev.consilium.moe.kernel.Matmul;

import java.util.Arrays;

/**
 * The SwiGLU feed-forward: down_proj(silu(gate_proj(x)) * up_proj(x)). Used for dense layers, for the shared
 * experts and, through the row methods, for each routed expert. gate_proj (I, H) and up_proj (I, H) sit back
 * to back in the flat buffer so one matmul computes both; down_proj (H, I) follows.
 */
final class Mlp implements FeedForward {
    final int H, I, w;
    private float[] gu, act;

    Mlp(FlatLayout layout, String prefix, int H, int I) {
        this.H = H;
        this.I = I;
        this.w = register(layout, prefix, H, I);
    }

    /** Registers prefix{gate,up,down}_proj.weight contiguously; returns the offset of gate_proj. */
    static int register(FlatLayout layout, String prefix, int H, int I) {
        int off = layout.add(prefix + "gate_proj.weight", FlatLayout.Init.NORMAL, I, H);
        layout.add(prefix + "up_proj.weight", FlatLayout.Init.NORMAL, I, H);
        layout.add(prefix + "down_proj.weight", FlatLayout.Init.NORMAL, H, I);
        return off;
    }

    @Override
    public void allocate(int N) {
        gu = new float[N * 2 * I];
        act = new float[N * I];
    }

    @Override
    public void forward(float[] P, float[] buffers, float[] x, float[] out, int B, int T, boolean training) {
        forwardRows(P, w, H, I, x, 0, gu, 0, act, 0, out, 0, B * T);
    }

    @Override
    public void backward(float[] P, float[] G, float[] dout, float[] x, float[] dx, int B, int T,
                         float balanceWeight, BackwardScratch sc) {
        int N = B * T;
        backwardRows(P, G, w, H, I, dout, 0, x, 0, gu, 0, act, 0,
                sc.get(BackwardScratch.Slot.MLP_DACT, N * I), 0, sc.get(BackwardScratch.Slot.MLP_DGU, N * 2 * I), 0, dx, 0, N);
    }

    /** n rows: gu (n, 2I), act (n, I) kept for backward; out (n, H) overwritten. */
    static void forwardRows(float[] P, int w, int H, int I, float[] x, int xOff, float[] gu, int guOff,
                            float[] act, int actOff, float[] out, int outOff, int n) {
        Matmul.forward(gu, guOff, x, xOff, P, w, n, H, 2 * I);
        SwiGlu.forward(act, actOff, gu, guOff, n, I);
        Matmul.forward(out, outOff, act, actOff, P, w + 2 * I * H, n, I, H);
    }

    /** dx (n, H) += d/dx; dact (n, I) and dgu (n, 2I) are scratch. */
    static void backwardRows(float[] P, float[] G, int w, int H, int I, float[] dout, int doutOff,
                             float[] x, int xOff, float[] gu, int guOff, float[] act, int actOff,
                             float[] dact, int dactOff, float[] dgu, int dguOff, float[] dx, int dxOff, int n) {
        int down = w + 2 * I * H;
        Matmul.backwardWeight(G, down, dout, doutOff, act, actOff, n, I, H);
        Arrays.fill(dact, dactOff, dactOff + n * I, 0f);
        Matmul.backwardInput(dact, dactOff, dout, doutOff, P, down, n, I, H);
        SwiGlu.backward(dgu, dguOff, dact, dactOff, gu, guOff, n, I);
        Matmul.backwardWeight(G, w, dgu, dguOff, x, xOff, n, H, 2 * I);
        Matmul.backwardInput(dx, dxOff, dgu, dguOff, P, w, n, H, 2 * I);
    }
}
