package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.MatMul;
import org.stepwise.tensor.Ops;
import org.stepwise.tensor.RotaryEmbedding;
import org.stepwise.tensor.Softmax;

/**
 * Causal multi-head self-attention of one block, with grouped key/value heads (MHA when G = H,
 * GQA in between, MQA when G = 1) and optional RoPE, and its backward pass by hand.
 *
 * <p>The fused projection c_attn [C, C + 2GD] yields, column by column, the H query heads, then G key
 * heads, then G value heads, D columns each. Query head h reads key/value head h / (H/G). Scores are
 * q·kᵀ/√D with −∞ wherever a token would look at a later one.
 */
final class Attention {

    /** What one sequence's forward pass keeps for the backward pass (and shows the trace). */
    static final class Activations {
        DMatrixRMaj input;                                   // [T, C] the attention's input (a reference)
        final DMatrixRMaj qkv = new DMatrixRMaj(0, 0);       // [T, C + 2GD]
        final DMatrixRMaj[] q;                               // H × [T, D]
        final DMatrixRMaj[] k;                               // G × [T, D]
        final DMatrixRMaj[] v;                               // G × [T, D]
        final DMatrixRMaj[] rotQ;                            // H × [T, D] q after RoPE (without RoPE: q itself)
        final DMatrixRMaj[] rotK;                            // G × [T, D] k after RoPE (without RoPE: k itself)
        final DMatrixRMaj[] scores;                          // H × [T, T] scaled, masked
        final DMatrixRMaj[] pattern;                         // H × [T, T] softmax of the scores
        final DMatrixRMaj[] z;                               // H × [T, D] pattern · v
        final DMatrixRMaj zAll = new DMatrixRMaj(0, 0);      // [T, C] the heads' z side by side
        final DMatrixRMaj out = new DMatrixRMaj(0, 0);       // [T, C]

        Activations(int heads, int kvHeads, boolean rope) {
            q = matrices(heads);
            k = matrices(kvHeads);
            v = matrices(kvHeads);
            rotQ = rope ? matrices(heads) : q;
            rotK = rope ? matrices(kvHeads) : k;
            scores = matrices(heads);
            pattern = matrices(heads);
            z = matrices(heads);
        }
    }

    /** Buffers of the backward pass; one set serves every block in turn. */
    static final class Scratch {
        final DMatrixRMaj dZAll = new DMatrixRMaj(0, 0);     // [T, C]
        final DMatrixRMaj dZ = new DMatrixRMaj(0, 0);        // [T, D]
        final DMatrixRMaj dPattern = new DMatrixRMaj(0, 0);  // [T, T]
        final DMatrixRMaj dScores = new DMatrixRMaj(0, 0);   // [T, T]
        final DMatrixRMaj dQ = new DMatrixRMaj(0, 0);        // [T, D]
        final DMatrixRMaj[] dK;                              // G × [T, D]
        final DMatrixRMaj[] dV;                              // G × [T, D]
        final DMatrixRMaj dQkv = new DMatrixRMaj(0, 0);      // [T, C + 2GD]

        Scratch(int kvHeads) {
            dK = matrices(kvHeads);
            dV = matrices(kvHeads);
        }
    }

    private final int layer;
    private final int heads;          // H
    private final int kvHeads;        // G
    private final int headDim;        // D
    private final int modelDim;       // C
    private final int qkvDim;         // C + 2GD
    private final double scoreScale;  // 1/√D
    private final RotaryEmbedding rope; // null unless RoPE
    private final DMatrixRMaj qkvWeight;  // [C, C + 2GD]
    private final DMatrixRMaj qkvBias;    // [1, C + 2GD] or null
    private final DMatrixRMaj projWeight; // [C, C]
    private final DMatrixRMaj projBias;   // [1, C] or null
    private final String qkvWeightName;
    private final String qkvBiasName;
    private final String projWeightName;
    private final String projBiasName;

    Attention(ModelConfig config, Parameters parameters, int layer, RotaryEmbedding rope) {
        this.layer = layer;
        this.heads = config.nHead();
        this.kvHeads = config.nKvHead();
        this.headDim = config.headDim();
        this.modelDim = config.dModel();
        this.qkvDim = config.qkvDim();
        this.scoreScale = 1.0 / Math.sqrt(headDim);
        this.rope = rope;
        String prefix = "h." + layer + ".attn.";
        qkvWeightName = prefix + "c_attn.weight";
        qkvBiasName = config.bias() ? prefix + "c_attn.bias" : null;
        projWeightName = prefix + "c_proj.weight";
        projBiasName = config.bias() ? prefix + "c_proj.bias" : null;
        qkvWeight = parameters.get(qkvWeightName);
        qkvBias = config.bias() ? parameters.get(qkvBiasName) : null;
        projWeight = parameters.get(projWeightName);
        projBias = config.bias() ? parameters.get(projBiasName) : null;
    }

    Activations newActivations() {
        return new Activations(heads, kvHeads, rope != null);
    }

    Scratch newScratch() {
        return new Scratch(kvHeads);
    }

    /** The key/value head that query head h reads. */
    private int kvHeadOf(int head) {
        return head / (heads / kvHeads);
    }

    /** attn(x): x [T, C] Not modified (kept by reference for the backward pass); returns act.out [T, C]. */
    DMatrixRMaj forward(DMatrixRMaj x, Activations act, TraceSink sink) {
        int tokens = x.numRows;
        act.input = x;
        act.qkv.reshape(tokens, qkvDim);
        MatMul.mult(x, qkvWeight, act.qkv);                                   // [T, C]·[C, C+2GD] → [T, C+2GD]
        if (qkvBias != null) {
            Ops.addRowVector(act.qkv, qkvBias);                               // [T, C+2GD] + [1, C+2GD]
        }
        for (int h = 0; h < heads; h++) {
            Ops.copyColumns(act.qkv, h * headDim, headDim, act.q[h]);         // [T, C+2GD] → [T, D]
        }
        for (int g = 0; g < kvHeads; g++) {
            Ops.copyColumns(act.qkv, modelDim + g * headDim, headDim, act.k[g]);             // [T, C+2GD] → [T, D]
            Ops.copyColumns(act.qkv, modelDim + (kvHeads + g) * headDim, headDim, act.v[g]); // [T, C+2GD] → [T, D]
        }
        Hooks.emitHeads(sink, Hook.Q, layer, act.q);
        Hooks.emitHeads(sink, Hook.K, layer, act.k);
        Hooks.emitHeads(sink, Hook.V, layer, act.v);
        if (rope != null) {
            for (int h = 0; h < heads; h++) {
                rope.rotate(act.q[h], act.rotQ[h]);                           // [T, D] → [T, D]
            }
            for (int g = 0; g < kvHeads; g++) {
                rope.rotate(act.k[g], act.rotK[g]);                           // [T, D] → [T, D]
            }
            Hooks.emitHeads(sink, Hook.ROT_Q, layer, act.rotQ);
            Hooks.emitHeads(sink, Hook.ROT_K, layer, act.rotK);
        }
        for (int h = 0; h < heads; h++) {
            act.scores[h].reshape(tokens, tokens);
            MatMul.multTransB(act.rotQ[h], act.rotK[kvHeadOf(h)], act.scores[h]); // [T, D]·[T, D]ᵀ → [T, T]
            scaleAndMaskFuture(act.scores[h]);
        }
        Hooks.emitHeads(sink, Hook.ATTN_SCORES, layer, act.scores);
        for (int h = 0; h < heads; h++) {
            Softmax.rows(act.scores[h], act.pattern[h]);                      // [T, T] → [T, T]
        }
        Hooks.emitHeads(sink, Hook.PATTERN, layer, act.pattern);
        act.zAll.reshape(tokens, modelDim);
        for (int h = 0; h < heads; h++) {
            act.z[h].reshape(tokens, headDim);
            MatMul.mult(act.pattern[h], act.v[kvHeadOf(h)], act.z[h]);        // [T, T]·[T, D] → [T, D]
            Ops.pasteColumns(act.z[h], act.zAll, h * headDim);                // [T, D] → columns of [T, C]
        }
        Hooks.emitHeads(sink, Hook.Z, layer, act.z);
        act.out.reshape(tokens, modelDim);
        MatMul.mult(act.zAll, projWeight, act.out);                           // [T, C]·[C, C] → [T, C]
        if (projBias != null) {
            Ops.addRowVector(act.out, projBias);                              // [T, C] + [1, C]
        }
        return act.out;
    }

    /** scores *= 1/√D on and below the diagonal; −∞ above it (query i may not see key j &gt; i). */
    private void scaleAndMaskFuture(DMatrixRMaj scores) {
        int tokens = scores.numRows;
        double[] s = scores.data;
        for (int i = 0; i < tokens; i++) {
            int row = i * tokens;
            for (int j = 0; j <= i; j++) {
                s[row + j] *= scoreScale;
            }
            for (int j = i + 1; j < tokens; j++) {
                s[row + j] = Double.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * Backward pass: from dOut = ∂L/∂out [T, C] (Not modified) to dX = ∂L/∂x [T, C] (Modified, overwritten;
     * must not be dOut), adding this layer's weight gradients to grads.
     */
    void backward(DMatrixRMaj dOut, Activations act, Scratch scratch, Parameters grads, DMatrixRMaj dX) {
        int tokens = dOut.numRows;
        // out = zAll·W_O + b_O
        MatMul.multAddTransA(act.zAll, dOut, grads.get(projWeightName));      // [T, C]ᵀ·[T, C] → [C, C]
        if (projBias != null) {
            Ops.addColumnSums(dOut, grads.get(projBiasName));                 // [T, C] → [1, C]
        }
        scratch.dZAll.reshape(tokens, modelDim);
        MatMul.multTransB(dOut, projWeight, scratch.dZAll);                   // [T, C]·[C, C]ᵀ → [T, C]

        for (int g = 0; g < kvHeads; g++) {
            scratch.dK[g].reshape(tokens, headDim);
            scratch.dK[g].zero();
            scratch.dV[g].reshape(tokens, headDim);
            scratch.dV[g].zero();
        }
        scratch.dQkv.reshape(tokens, qkvDim);
        scratch.dPattern.reshape(tokens, tokens);
        scratch.dQ.reshape(tokens, headDim);
        for (int h = 0; h < heads; h++) {
            int g = kvHeadOf(h);
            Ops.copyColumns(scratch.dZAll, h * headDim, headDim, scratch.dZ);  // [T, C] → [T, D]
            // z = pattern·v
            MatMul.multTransB(scratch.dZ, act.v[g], scratch.dPattern);         // [T, D]·[T, D]ᵀ → [T, T]
            MatMul.multAddTransA(act.pattern[h], scratch.dZ, scratch.dV[g]);   // [T, T]ᵀ·[T, D] → [T, D]
            // pattern = softmax(scores), scores = q·kᵀ/√D (masked cells have pattern 0 and get 0)
            Softmax.rowsBackward(act.pattern[h], scratch.dPattern, scratch.dScores); // [T, T] → [T, T]
            Ops.scale(scratch.dScores, scoreScale);
            MatMul.mult(scratch.dScores, act.rotK[g], scratch.dQ);             // [T, T]·[T, D] → [T, D]
            MatMul.multAddTransA(scratch.dScores, act.rotQ[h], scratch.dK[g]); // [T, T]ᵀ·[T, D] → [T, D]
            if (rope != null) {
                rope.rotateTranspose(scratch.dQ, scratch.dQ);                  // [T, D] → [T, D]
            }
            Ops.pasteColumns(scratch.dQ, scratch.dQkv, h * headDim);           // [T, D] → columns of [T, C+2GD]
        }
        for (int g = 0; g < kvHeads; g++) {
            if (rope != null) {
                rope.rotateTranspose(scratch.dK[g], scratch.dK[g]);            // [T, D] → [T, D]
            }
            Ops.pasteColumns(scratch.dK[g], scratch.dQkv, modelDim + g * headDim);             // [T, D] → [T, C+2GD]
            Ops.pasteColumns(scratch.dV[g], scratch.dQkv, modelDim + (kvHeads + g) * headDim); // [T, D] → [T, C+2GD]
        }
        // qkv = x·W_qkv + b_qkv
        MatMul.multAddTransA(act.input, scratch.dQkv, grads.get(qkvWeightName)); // [T, C]ᵀ·[T, C+2GD] → [C, C+2GD]
        if (qkvBias != null) {
            Ops.addColumnSums(scratch.dQkv, grads.get(qkvBiasName));           // [T, C+2GD] → [1, C+2GD]
        }
        dX.reshape(tokens, modelDim);
        MatMul.multTransB(scratch.dQkv, qkvWeight, dX);                        // [T, C+2GD]·[C, C+2GD]ᵀ → [T, C]
    }

    static DMatrixRMaj[] matrices(int count) {
        DMatrixRMaj[] out = new DMatrixRMaj[count];
        for (int i = 0; i < count; i++) {
            out[i] = new DMatrixRMaj(0, 0);
        }
        return out;
    }
}
