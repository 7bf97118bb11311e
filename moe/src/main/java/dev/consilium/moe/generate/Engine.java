package dev.consilium.moe.generate;

import dev.consilium.moe.config.ModelConfig;
import dev.consilium.moe.kernel.Parallel;
import dev.consilium.moe.kernel.WeightMatrix;
import dev.consilium.moe.model.Mla;
import dev.consilium.moe.model.MoeRouter;
import dev.consilium.moe.model.RmsNorm;
import dev.consilium.moe.model.Rope;
import dev.consilium.moe.model.SwiGlu;
import dev.consilium.moe.model.VecMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The inference forward over rows: row n is token tok[n] at position pos[n] of the sequence whose KV cache
 * is caches[n]. Prefill (many rows of one sequence), decode (one row per sequence) and speculative
 * verification (a few rows per sequence) are all the same call, every projection one {@link WeightMatrix}
 * product over all rows.
 * <p>
 * <b>MLA's compressed cache.</b> Per position and layer the cache keeps only the normalized latent
 * c = kv_a_layernorm(kv_a(x)) (kvr floats) and the rotated k_pe (dr floats); a position's row is
 * [layer 0 c | k_pe, layer 1 c | k_pe, ...], the prefix cache's row format. Attention runs in the absorbed
 * form of DeepSeek-V3's reference ({@code attn_impl = "absorb"}): per head, q_nope . (W_uk c) is computed as
 * (W_uk^T q_nope) . c, and the weighted sum of latents goes through W_uv before o_proj, so keys and values are
 * never expanded. Score scale as the model's (qk_head_dim^-0.5, YaRN mscale^2).
 * <p>
 * <b>Bit-identical rows.</b> Each row's result depends only on its token, position and the cache entries of
 * positions before it: products are row-independent ({@code Matmul}), attention reduces a query's keys in
 * position order in one task, MoE sums each token's experts in slot order. So a prompt gives the same bits
 * whether its prefix was computed in the same call, an earlier one, or restored from a cache, and a token's
 * logits do not depend on what else shares the batch. Not thread-safe.
 */
final class Engine {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    /**
     * Multiply-adds below which a chunk of attention heads, or a layer's experts, is not worth a fork/join
     * round trip: decoding one token over a context of a few hundred is 10 to 40 thousand per head, a few
     * microseconds, and waking a parked worker takes about as long (on a loaded machine, a scheduling
     * quantum). 2^18 keeps one token's eight heads of small on the calling thread up to about 230 positions.
     */
    private static final int PARALLEL_MIN_FMAS = 1 << 18;

    final InferenceWeights w;
    final int H, V, L, nh, dn, dr, dv, D, kvr, qr, qW, S1, KV, E, K, I, maxPos;
    private final float eps, scale, routeScale;
    private final boolean softmax, normalize;
    private final int nGroup, topkGroup, denseI, sharedI;
    private final Rope rope;

    private int cap = -1;
    private float[] x, xn, p1, qan, q, att, o, ffn, rstd, hFinal, lmIn;
    private float[] rLogits, s, biased, groupScore, wts, xg, gu, act, eo;
    private float[] sGu, sAct, sOut;
    private int[] sel, slotRow, rowToken, count, start, cursor, activeExperts;
    private float[] logits = new float[0];

    Engine(InferenceWeights w) {
        this.w = w;
        ModelConfig c = w.config;
        H = c.hiddenSize();
        V = c.vocabSize();
        L = c.numHiddenLayers();
        nh = c.numAttentionHeads();
        dn = c.qkNopeHeadDim();
        dr = c.qkRopeHeadDim();
        dv = c.vHeadDim();
        D = dn + dr;
        kvr = c.kvLoraRank();
        qr = c.qLoraRank() == null ? 0 : c.qLoraRank();
        qW = qr > 0 ? qr : nh * D;
        S1 = qW + kvr + dr;
        KV = kvr + dr;
        E = c.nRoutedExperts();
        K = c.numExpertsPerTok();
        I = c.moeIntermediateSize();
        denseI = c.intermediateSize();
        sharedI = c.nSharedExperts() * I;
        nGroup = c.nGroup();
        topkGroup = c.topkGroup();
        softmax = "softmax".equals(c.scoringFunc());
        normalize = !softmax && c.normTopkProb();
        routeScale = c.routedScalingFactor();
        eps = c.rmsNormEps();
        scale = Mla.softmaxScale(c);
        maxPos = c.maxPositionEmbeddings();
        rope = new Rope(c);
        rope.ensure(maxPos);
    }

    /** Floats one position takes in the main model's cache: every layer's latent and rotary key. */
    int mainWidth() {
        return L * KV;
    }

    /** The final-normed hidden states (N, H) of the last {@link #forward}, or the head-normed ones of {@link #mtp}. */
    float[] hidden() {
        return hFinal;
    }

    /** The residual stream (N, H) after the last call's blocks: an MTP module's h^k. */
    float[] stream() {
        return x;
    }

    /** The main model over N rows; writes each row's latents into its cache, leaves {@link #hidden()}. */
    void forward(int N, int[] tok, int[] pos, float[][] caches) {
        ensure(N);
        for (int n = 0; n < N; n++) System.arraycopy(w.embed, tok[n] * H, x, n * H, H);
        for (int l = 0; l < L; l++) block(w.layers[l], N, pos, caches, L * KV, l * KV);
        RmsNorm.forward(hFinal, 0, H, x, 0, H, w.norm, 0, rstd, 0, N, H, eps);
    }

    /**
     * MTP module k (0-based) over N rows: m = eh_proj([enorm(Emb(tok)) | hnorm(hPrev)]), its block with
     * caches of width KV, then shared_head.norm into {@link #hidden()}; {@link #stream()} holds h^k.
     * hPrev (N, H) must not be this engine's own buffers.
     */
    void mtp(int k, int N, int[] tok, int[] pos, float[][] caches, float[] hPrev) {
        ensure(N);
        InferenceWeights.MtpModule m = w.mtp[k];
        for (int n = 0; n < N; n++) System.arraycopy(w.embed, tok[n] * H, xn, n * H, H);
        // xg serves as the (N, 2H) concatenation: N*K*H >= 2*N*H is not given, so it is sized for both
        RmsNorm.forward(xg, 0, 2 * H, xn, 0, H, m.enorm(), 0, rstd, 0, N, H, eps);
        RmsNorm.forward(xg, H, 2 * H, hPrev, 0, H, m.hnorm(), 0, rstd, 0, N, H, eps);
        m.eh().forward(x, 0, xg, 0, N);
        block(m.block(), N, pos, caches, KV, 0);
        RmsNorm.forward(hFinal, 0, H, x, 0, H, m.headNorm(), 0, rstd, 0, N, H, eps);
    }

    /** Logits (M, V) of rows[0..M) of {@link #hidden()}, into a buffer reused by the next call. */
    float[] logits(int[] rows, int M) {
        if (lmIn.length < M * H) lmIn = new float[M * H];
        if (logits.length < M * V) logits = new float[M * V];
        for (int i = 0; i < M; i++) System.arraycopy(hFinal, rows[i] * H, lmIn, i * H, H);
        w.lmHead.forward(logits, 0, lmIn, 0, M);
        return logits;
    }

    private void ensure(int N) {
        if (N <= cap) return;
        cap = Math.max(N, 2 * Math.max(cap, 8));
        int n = cap, nk = cap * K;
        x = new float[n * H];
        xn = new float[n * H];
        p1 = new float[n * S1];
        qan = new float[n * Math.max(qr, 1)];
        q = new float[n * nh * D];
        att = new float[n * nh * dv];
        o = new float[n * H];
        ffn = new float[n * H];
        rstd = new float[n];
        hFinal = new float[n * H];
        lmIn = new float[n * H];
        int widest = Math.max(Math.max(denseI, sharedI), I);
        gu = new float[Math.max(nk * 2 * I, n * 2 * widest)];
        act = new float[Math.max(nk * I, n * widest)];
        if (E > 0) {
            rLogits = new float[n * E];
            s = new float[n * E];
            biased = new float[n * E];
            groupScore = new float[n * nGroup];
            wts = new float[nk];
            eo = new float[nk * H];
            sel = new int[nk];
            slotRow = new int[nk];
            rowToken = new int[nk];
            count = new int[E];
            start = new int[E + 1];
            cursor = new int[E];
            activeExperts = new int[E];
            sGu = new float[n * 2 * Math.max(sharedI, 1)];
            sAct = new float[n * Math.max(sharedI, 1)];
            sOut = new float[n * H];
        }
        xg = new float[Math.max(nk, 2 * n) * H];
    }

    /** x (N, H) += attention, then += feed-forward. Cache rows at caches[n][pos[n]*width + layerOff]. */
    private void block(InferenceWeights.Layer lw, int N, int[] pos, float[][] caches, int width, int layerOff) {
        InferenceWeights.Attention a = lw.attn();
        RmsNorm.forward(xn, 0, H, x, 0, H, a.ln1(), 0, rstd, 0, N, H, eps);
        attention(a, N, pos, caches, width, layerOff);
        a.o().forward(o, 0, att, 0, N);
        add(x, o, N * H);
        RmsNorm.forward(xn, 0, H, x, 0, H, lw.ln2(), 0, rstd, 0, N, H, eps);
        if (lw.moe() != null) moe(lw.moe(), N);
        else swiGlu(lw.mlp(), xn, 0, ffn, 0, N, denseI, gu, act);
        add(x, ffn, N * H);
    }

    private void attention(InferenceWeights.Attention a, int N, int[] pos, float[][] caches, int width, int layerOff) {
        a.w1().forward(p1, 0, xn, 0, N);
        float[] qArr = p1;
        int qStride = S1;
        if (qr > 0) {
            RmsNorm.forward(qan, 0, qr, p1, 0, S1, a.qaNorm(), 0, rstd, 0, N, qr, eps);
            a.qb().forward(q, 0, qan, 0, N);
            qArr = q;
            qStride = nh * D;
        }
        rope.applyAt(qArr, dn, qStride, D, nh, pos, N);
        rope.applyAt(p1, qW + kvr, S1, 0, 1, pos, N);
        // every row's latent lands in the cache before any query reads it: a prompt's rows see each other
        for (int n = 0; n < N; n++) {
            int at = pos[n] * width + layerOff;
            RmsNorm.forward(caches[n], at, 0, p1, n * S1 + qW, 0, a.kvaNorm(), 0, rstd, n, 1, kvr, eps);
            System.arraycopy(p1, n * S1 + qW + kvr, caches[n], at + kvr, dr);
        }
        float[] qa = qArr;
        int qs = qStride, T = 0;
        for (int n = 0; n < N; n++) T = Math.max(T, pos[n] + 1);
        int perHead = 2 * dn * kvr + T * (KV + kvr);
        Parallel.forEach(N * nh, (PARALLEL_MIN_FMAS + perHead - 1) / perHead, t -> attendHead(a.kvb(), qa, t / nh * qs + t % nh * D, t % nh, caches[t / nh],
                pos[t / nh] + 1, width, layerOff, t / nh * nh * dv + t % nh * dv));
    }

    /** Per-thread buffers for one head's attention. */
    private static final class HeadScratch {
        float[] scores = new float[0], qLat = new float[0], oLat = new float[0];

        HeadScratch ensure(int T, int KV) {
            int t = (T + LANES - 1) / LANES * LANES;
            if (scores.length < t) scores = new float[t];
            if (qLat.length < KV) {
                qLat = new float[KV];
                oLat = new float[KV];
            }
            return this;
        }
    }

    private static final ThreadLocal<HeadScratch> HEAD = ThreadLocal.withInitial(HeadScratch::new);

    /**
     * One query head over keys [0, T) of its sequence, absorbed: qLat = [W_uk_h^T q_nope | q_pe]; s_j =
     * (qLat . [c_j | kpe_j]) * scale, one dot over a cache row's KV contiguous floats; out = W_uv_h (sum_j
     * softmax_j c_j). kvb (nh*(dn+dv), kvr): head h's rows are [W_uk_h (dn) ; W_uv_h (dv)].
     */
    private void attendHead(float[] kvb, float[] qArr, int qo, int h, float[] cache, int T, int width, int layerOff,
                            int outAt) {
        HeadScratch sc = HEAD.get().ensure(T, KV);
        float[] qLat = sc.qLat, oLat = sc.oLat, sc0 = sc.scores;
        int wk = h * (dn + dv) * kvr;
        combine(qLat, qArr, qo, dn, kvb, wk, kvr, kvr);
        System.arraycopy(qArr, qo + dn, qLat, kvr, dr);
        int j = 0;
        if (LANES == 8 && KV % LANES == 0) {
            for (; j + LANES <= T; j += LANES) dots8(qLat, cache, j * width + layerOff, width, KV, scale, sc0, j);
        }
        for (; j < T; j++) sc0[j] = dot(qLat, 0, cache, j * width + layerOff, KV) * scale;
        float max = Float.NEGATIVE_INFINITY;
        for (j = 0; j < T; j++) max = Math.max(max, sc0[j]);
        int padded = (T + LANES - 1) / LANES * LANES;
        Arrays.fill(sc0, T, padded, Float.NEGATIVE_INFINITY);
        FloatVector sum = FloatVector.zero(S);
        for (j = 0; j < padded; j += LANES) {
            FloatVector e = VecMath.exp(FloatVector.fromArray(S, sc0, j).sub(max));
            e.intoArray(sc0, j);
            sum = sum.add(e);
        }
        float inv = 1f / VecMath.sum(sum);
        combine(oLat, sc0, 0, T, cache, layerOff, width, kvr);
        int wv = wk + dn * kvr, c = 0;
        if (LANES == 8 && kvr % LANES == 0) {
            for (; c + LANES <= dv; c += LANES) dots8(oLat, kvb, wv + c * kvr, kvr, kvr, inv, att, outAt + c);
        }
        for (; c < dv; c++) att[outAt + c] = dot(oLat, 0, kvb, wv + c * kvr, kvr) * inv;
    }

    /** Lane i^h, and the lanes whose bit h is set: one level of {@link #dots8}'s merged reduction. */
    private static final VectorShuffle<Float> XOR4 = VectorShuffle.fromOp(S, i -> (i ^ 4) % LANES),
            XOR2 = VectorShuffle.fromOp(S, i -> (i ^ 2) % LANES), XOR1 = VectorShuffle.fromOp(S, i -> (i ^ 1) % LANES);
    private static final VectorMask<Float> BIT4 = VectorMask.fromLong(S, 0xF0), BIT2 = VectorMask.fromLong(S, 0xCC),
            BIT1 = VectorMask.fromLong(S, 0xAA);
    /** After the three levels, lane i holds key bit-reverse(i). */
    private static final VectorShuffle<Float> REVERSE = VectorShuffle.fromOp(S, i -> Integer.reverse(i) >>> 29);

    /**
     * out[o..o+8) = mul * (q[0..len) . row) for the eight rows of m from at (stride width), each bit-identical
     * to {@code dot(q, 0, m, row, len) * mul}: the same FMA chains, and the lanes of the eight sums reduced
     * together by the pairwise tree of {@link VecMath#sum}, two rows per step (x's sums into the lanes without
     * bit h, y's into those with it), seven shuffles and adds for eight rows instead of twenty-four. Scores
     * eight keys against their cache rows, or eight of a head's outputs against W_uv's rows. 8 lanes, len a
     * multiple of 8.
     */
    private static void dots8(float[] q, float[] m, int at, int width, int len, float mul, float[] out, int o) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int c = 0; c < len; c += LANES) {
            FloatVector qc = FloatVector.fromArray(S, q, c);
            int r = at + c;
            a0 = qc.fma(FloatVector.fromArray(S, m, r), a0);
            a1 = qc.fma(FloatVector.fromArray(S, m, r + width), a1);
            a2 = qc.fma(FloatVector.fromArray(S, m, r + 2 * width), a2);
            a3 = qc.fma(FloatVector.fromArray(S, m, r + 3 * width), a3);
            a4 = qc.fma(FloatVector.fromArray(S, m, r + 4 * width), a4);
            a5 = qc.fma(FloatVector.fromArray(S, m, r + 5 * width), a5);
            a6 = qc.fma(FloatVector.fromArray(S, m, r + 6 * width), a6);
            a7 = qc.fma(FloatVector.fromArray(S, m, r + 7 * width), a7);
        }
        FloatVector b0 = fold(a0, a1, XOR4, BIT4), b1 = fold(a2, a3, XOR4, BIT4);
        FloatVector b2 = fold(a4, a5, XOR4, BIT4), b3 = fold(a6, a7, XOR4, BIT4);
        FloatVector c0 = fold(b0, b1, XOR2, BIT2), c1 = fold(b2, b3, XOR2, BIT2);
        fold(c0, c1, XOR1, BIT1).rearrange(REVERSE).mul(mul).intoArray(out, o);
    }

    /** Lanes without bit h: x[i] + x[i^h]; with it: y[i^h] + y[i]. */
    private static FloatVector fold(FloatVector x, FloatVector y, VectorShuffle<Float> xor, VectorMask<Float> bit) {
        return x.blend(y.rearrange(xor), bit).add(x.rearrange(xor).blend(y, bit));
    }

    /** ffn (N, H) = DeepSeekMoE(xn): routed experts over their grouped rows, plus the shared experts. */
    private void moe(InferenceWeights.Moe m, int N) {
        m.gate().forward(rLogits, 0, xn, 0, N);
        MoeRouter.scores(s, rLogits, N, E, softmax);
        MoeRouter.select(sel, biased, groupScore, s, m.bias(), 0, N, E, K, nGroup, topkGroup);
        MoeRouter.gateWeights(wts, s, sel, N, E, K, normalize, routeScale);
        Arrays.fill(count, 0);
        for (int i = 0; i < N * K; i++) count[sel[i]]++;
        int active = 0;
        start[0] = 0;
        for (int e = 0; e < E; e++) {
            start[e + 1] = start[e] + count[e];
            if (count[e] > 0) activeExperts[active++] = e;
        }
        System.arraycopy(start, 0, cursor, 0, E);
        for (int t = 0; t < N; t++) {
            for (int k = 0; k < K; k++) {
                int p = cursor[sel[t * K + k]]++;
                slotRow[t * K + k] = p;
                rowToken[p] = t;
            }
        }
        for (int p = 0; p < N * K; p++) System.arraycopy(xn, rowToken[p] * H, xg, p * H, H);
        // the shared experts run as one more task beside the routed ones: decoding a token, each is a few
        // small products, too small to split, and together they keep both cores streaming weights. Below
        // PARALLEL_MIN_FMAS in all (tiny's token: 74 thousand) waking a worker costs more than the experts.
        int routed = active;
        IntConsumer expert = i -> {
            if (i == routed) {
                swiGlu(m.shared(), xn, 0, sOut, 0, N, sharedI, sGu, sAct);
                return;
            }
            int e = activeExperts[i], st = start[e];
            swiGlu(m.experts()[e], xg, st * H, eo, st * H, count[e], I, gu, act);
        };
        int tasks = routed + (m.shared() != null ? 1 : 0);
        long fmas = 3L * H * N * ((long) K * I + (m.shared() != null ? sharedI : 0));
        if (fmas >= PARALLEL_MIN_FMAS) Parallel.forEach(tasks, 1, expert);
        else for (int i = 0; i < tasks; i++) expert.accept(i);
        for (int t = 0; t < N; t++) {
            int r = t * H, c = 0;
            for (; c < S.loopBound(H); c += LANES) {
                FloatVector acc = FloatVector.zero(S);
                for (int k = 0; k < K; k++) {
                    acc = FloatVector.fromArray(S, eo, slotRow[t * K + k] * H + c).fma(FloatVector.broadcast(S, wts[t * K + k]), acc);
                }
                if (m.shared() != null) acc = acc.add(FloatVector.fromArray(S, sOut, r + c));
                acc.intoArray(ffn, r + c);
            }
            for (; c < H; c++) {
                float acc = 0f;
                for (int k = 0; k < K; k++) acc += wts[t * K + k] * eo[slotRow[t * K + k] * H + c];
                if (m.shared() != null) acc += sOut[r + c];
                ffn[r + c] = acc;
            }
        }
    }

    /**
     * out rows = down(silu(gate(in)) * up(in)) for n rows of width I; gu and act are scratch addressed from
     * the rows' own offset (in / H), so experts running at once use disjoint parts.
     */
    private void swiGlu(InferenceWeights.SwiGluWeights sw, float[] in, int inOff, float[] out, int outOff, int n,
                        int width, float[] gu, float[] act) {
        int row = inOff / H;
        sw.gu().forward(gu, row * 2 * width, in, inOff, n);
        SwiGlu.forward(act, row * width, gu, row * 2 * width, n, width);
        sw.down().forward(out, outOff, act, row * width, n);
    }

    private static void add(float[] a, float[] b, int n) {
        int i = 0;
        for (; i < S.loopBound(n); i += LANES) FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
        for (; i < n; i++) a[i] += b[i];
    }

    /**
     * y[0..len) = sum over i in [0, n) of x[xOff + i] * m[mOff + i*stride ..+len): per element one chain of
     * FMAs in i order from 0. Four vectors of y stay in registers while the rows stream past, rather than
     * y being loaded and stored again for every row.
     */
    private static void combine(float[] y, float[] x, int xOff, int n, float[] m, int mOff, int stride, int len) {
        int c = 0;
        for (; c + 4 * LANES <= len; c += 4 * LANES) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0, at = mOff + c; i < n; i++, at += stride) {
                FloatVector xi = FloatVector.broadcast(S, x[xOff + i]);
                a0 = FloatVector.fromArray(S, m, at).fma(xi, a0);
                a1 = FloatVector.fromArray(S, m, at + LANES).fma(xi, a1);
                a2 = FloatVector.fromArray(S, m, at + 2 * LANES).fma(xi, a2);
                a3 = FloatVector.fromArray(S, m, at + 3 * LANES).fma(xi, a3);
            }
            a0.intoArray(y, c);
            a1.intoArray(y, c + LANES);
            a2.intoArray(y, c + 2 * LANES);
            a3.intoArray(y, c + 3 * LANES);
        }
        for (; c + LANES <= len; c += LANES) {
            FloatVector a0 = FloatVector.zero(S);
            for (int i = 0, at = mOff + c; i < n; i++, at += stride) {
                a0 = FloatVector.fromArray(S, m, at).fma(FloatVector.broadcast(S, x[xOff + i]), a0);
            }
            a0.intoArray(y, c);
        }
        for (; c < len; c++) {
            float a = 0f;
            for (int i = 0, at = mOff + c; i < n; i++, at += stride) a = Math.fma(x[xOff + i], m[at], a);
            y[c] = a;
        }
    }

    /** a[aOff..+n) . b[bOff..+n): lanes in a fixed tree, tail in order. */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < S.loopBound(n); i += LANES) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float sum = VecMath.sum(acc);
        for (; i < n; i++) sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        return sum;
    }
}
