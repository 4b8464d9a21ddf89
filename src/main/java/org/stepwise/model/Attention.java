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

    /** What the forward pass of a stack of sequences keeps for the backward pass (and shows the trace). */
    static final class Activations {
        DMatrixRMaj input;                                   // [N, C] the attention's input (a reference)
        final DMatrixRMaj qkv = new DMatrixRMaj(0, 0);       // [N, C + 2GD]
        SequenceHeads[] sequences = new SequenceHeads[0];    // the heads of each sequence of the stack
        final DMatrixRMaj zAll = new DMatrixRMaj(0, 0);      // [N, C] the heads' z side by side
        final DMatrixRMaj out = new DMatrixRMaj(0, 0);       // [N, C]
        private final int heads;
        private final int kvHeads;
        private final boolean rope;

        Activations(int heads, int kvHeads, boolean rope) {
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.rope = rope;
        }

        /** The heads of sequence i; allocated only the first time a stack has that many sequences. */
        SequenceHeads sequence(int index) {
            if (index >= sequences.length) {
                SequenceHeads[] grown = new SequenceHeads[index + 1];
                System.arraycopy(sequences, 0, grown, 0, sequences.length);
                for (int i = sequences.length; i <= index; i++) {
                    grown[i] = new SequenceHeads(heads, kvHeads, rope);
                }
                sequences = grown;
            }
            return sequences[index];
        }
    }

    /** One sequence's heads: its rows of the stacked q, k, v, and its scores, pattern and z. */
    static final class SequenceHeads {
        final DMatrixRMaj[] q;                               // H × [T, D]
        final DMatrixRMaj[] k;                               // G × [T, D]
        final DMatrixRMaj[] v;                               // G × [T, D]
        final DMatrixRMaj[] rotQ;                            // H × [T, D] q after RoPE (without RoPE: q itself)
        final DMatrixRMaj[] rotK;                            // G × [T, D] k after RoPE (without RoPE: k itself)
        final DMatrixRMaj[] scores;                          // H × [T, T] scaled, masked
        final DMatrixRMaj[] pattern;                         // H × [T, T] softmax of the scores
        final DMatrixRMaj[] z;                               // H × [T, D] pattern · v

        SequenceHeads(int heads, int kvHeads, boolean rope) {
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

    /** Buffers of the backward pass; one set serves every block and every sequence in turn. */
    static final class Scratch {
        final DMatrixRMaj dZAll = new DMatrixRMaj(0, 0);     // [N, C]
        final DMatrixRMaj dZ = new DMatrixRMaj(0, 0);        // [T, D]
        final DMatrixRMaj dPattern = new DMatrixRMaj(0, 0);  // [T, T]
        final DMatrixRMaj dScores = new DMatrixRMaj(0, 0);   // [T, T]
        final DMatrixRMaj dQ = new DMatrixRMaj(0, 0);        // [T, D]
        final DMatrixRMaj[] dK;                              // G × [T, D]
        final DMatrixRMaj[] dV;                              // G × [T, D]
        final DMatrixRMaj dQkv = new DMatrixRMaj(0, 0);      // [N, C + 2GD]

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

    /**
     * attn(x) on a stack of sequences: x [N, C] Not modified (kept by reference for the backward pass);
     * returns act.out [N, C]. The projections run on all N rows at once; each sequence attends only to
     * its own rows. The trace shows the heads of the stack's first sequence (a lone sequence when traced).
     */
    DMatrixRMaj forward(DMatrixRMaj x, StackedRows stack, Activations act, TraceSink sink) {
        int rows = x.numRows;
        act.input = x;
        act.qkv.reshape(rows, qkvDim);
        MatMul.mult(x, qkvWeight, act.qkv);                                   // [N, C]·[C, C+2GD] → [N, C+2GD]
        if (qkvBias != null) {
            Ops.addRowVector(act.qkv, qkvBias);                               // [N, C+2GD] + [1, C+2GD]
        }
        act.zAll.reshape(rows, modelDim);
        for (int i = 0; i < stack.count(); i++) {
            attendWithin(stack.start(i), stack.length(i), act.sequence(i), act, i == 0 ? sink : TraceSink.NONE);
        }
        act.out.reshape(rows, modelDim);
        MatMul.mult(act.zAll, projWeight, act.out);                           // [N, C]·[C, C] → [N, C]
        if (projBias != null) {
            Ops.addRowVector(act.out, projBias);                              // [N, C] + [1, C]
        }
        return act.out;
    }

    /**
     * The heads of one sequence, rows [first, first + T) of the stack: from its rows of act.qkv to its
     * rows of act.zAll (Modified).
     */
    private void attendWithin(int first, int tokens, SequenceHeads seq, Activations act, TraceSink sink) {
        for (int h = 0; h < heads; h++) {
            Ops.copyBlock(act.qkv, first, tokens, h * headDim, headDim, seq.q[h]);      // [N, C+2GD] → [T, D]
        }
        for (int g = 0; g < kvHeads; g++) {
            Ops.copyBlock(act.qkv, first, tokens, modelDim + g * headDim, headDim, seq.k[g]);             // → [T, D]
            Ops.copyBlock(act.qkv, first, tokens, modelDim + (kvHeads + g) * headDim, headDim, seq.v[g]); // → [T, D]
        }
        Hooks.emitHeads(sink, Hook.Q, layer, seq.q);
        Hooks.emitHeads(sink, Hook.K, layer, seq.k);
        Hooks.emitHeads(sink, Hook.V, layer, seq.v);
        if (rope != null) {
            for (int h = 0; h < heads; h++) {
                rope.rotate(seq.q[h], seq.rotQ[h]);                           // [T, D] → [T, D]
            }
            for (int g = 0; g < kvHeads; g++) {
                rope.rotate(seq.k[g], seq.rotK[g]);                           // [T, D] → [T, D]
            }
            Hooks.emitHeads(sink, Hook.ROT_Q, layer, seq.rotQ);
            Hooks.emitHeads(sink, Hook.ROT_K, layer, seq.rotK);
        }
        for (int h = 0; h < heads; h++) {
            seq.scores[h].reshape(tokens, tokens);
            MatMul.multTransB(seq.rotQ[h], seq.rotK[kvHeadOf(h)], seq.scores[h]); // [T, D]·[T, D]ᵀ → [T, T]
            scaleAndMaskFuture(seq.scores[h]);
        }
        Hooks.emitHeads(sink, Hook.ATTN_SCORES, layer, seq.scores);
        for (int h = 0; h < heads; h++) {
            Softmax.rows(seq.scores[h], seq.pattern[h]);                      // [T, T] → [T, T]
        }
        Hooks.emitHeads(sink, Hook.PATTERN, layer, seq.pattern);
        for (int h = 0; h < heads; h++) {
            seq.z[h].reshape(tokens, headDim);
            MatMul.mult(seq.pattern[h], seq.v[kvHeadOf(h)], seq.z[h]);        // [T, T]·[T, D] → [T, D]
            Ops.pasteBlock(seq.z[h], act.zAll, first, h * headDim);           // [T, D] → block of [N, C]
        }
        Hooks.emitHeads(sink, Hook.Z, layer, seq.z);
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
     * Backward pass: from dOut = ∂L/∂out [N, C] (Not modified) to dX = ∂L/∂x [N, C] (Modified, overwritten;
     * must not be dOut), adding this layer's weight gradients to grads.
     */
    void backward(DMatrixRMaj dOut, StackedRows stack, Activations act, Scratch scratch, Parameters grads,
                  DMatrixRMaj dX) {
        int rows = dOut.numRows;
        // out = zAll·W_O + b_O
        MatMul.multAddTransA(act.zAll, dOut, grads.get(projWeightName));      // [N, C]ᵀ·[N, C] → [C, C]
        if (projBias != null) {
            Ops.addColumnSums(dOut, grads.get(projBiasName));                 // [N, C] → [1, C]
        }
        scratch.dZAll.reshape(rows, modelDim);
        MatMul.multTransB(dOut, projWeight, scratch.dZAll);                   // [N, C]·[C, C]ᵀ → [N, C]
        scratch.dQkv.reshape(rows, qkvDim);
        for (int i = 0; i < stack.count(); i++) {
            attendWithinBackward(stack.start(i), stack.length(i), act.sequences[i], scratch);
        }
        // qkv = x·W_qkv + b_qkv
        MatMul.multAddTransA(act.input, scratch.dQkv, grads.get(qkvWeightName)); // [N, C]ᵀ·[N, C+2GD] → [C, C+2GD]
        if (qkvBias != null) {
            Ops.addColumnSums(scratch.dQkv, grads.get(qkvBiasName));           // [N, C+2GD] → [1, C+2GD]
        }
        dX.reshape(rows, modelDim);
        MatMul.multTransB(scratch.dQkv, qkvWeight, dX);                        // [N, C+2GD]·[C, C+2GD]ᵀ → [N, C]
    }

    /**
     * Backward pass of {@link #attendWithin} for the sequence at rows [first, first + T): from its rows of
     * scratch.dZAll to its rows of scratch.dQkv (Modified).
     */
    private void attendWithinBackward(int first, int tokens, SequenceHeads seq, Scratch scratch) {
        for (int g = 0; g < kvHeads; g++) {
            scratch.dK[g].reshape(tokens, headDim);
            scratch.dK[g].zero();
            scratch.dV[g].reshape(tokens, headDim);
            scratch.dV[g].zero();
        }
        scratch.dPattern.reshape(tokens, tokens);
        scratch.dQ.reshape(tokens, headDim);
        for (int h = 0; h < heads; h++) {
            int g = kvHeadOf(h);
            Ops.copyBlock(scratch.dZAll, first, tokens, h * headDim, headDim, scratch.dZ); // [N, C] → [T, D]
            // z = pattern·v
            MatMul.multTransB(scratch.dZ, seq.v[g], scratch.dPattern);         // [T, D]·[T, D]ᵀ → [T, T]
            MatMul.multAddTransA(seq.pattern[h], scratch.dZ, scratch.dV[g]);   // [T, T]ᵀ·[T, D] → [T, D]
            // pattern = softmax(scores), scores = q·kᵀ/√D (masked cells have pattern 0 and get 0)
            Softmax.rowsBackward(seq.pattern[h], scratch.dPattern, scratch.dScores); // [T, T] → [T, T]
            Ops.scale(scratch.dScores, scoreScale);
            MatMul.mult(scratch.dScores, seq.rotK[g], scratch.dQ);             // [T, T]·[T, D] → [T, D]
            MatMul.multAddTransA(scratch.dScores, seq.rotQ[h], scratch.dK[g]); // [T, T]ᵀ·[T, D] → [T, D]
            if (rope != null) {
                rope.rotateTranspose(scratch.dQ, scratch.dQ);                  // [T, D] → [T, D]
            }
            Ops.pasteBlock(scratch.dQ, scratch.dQkv, first, h * headDim);      // [T, D] → block of [N, C+2GD]
        }
        for (int g = 0; g < kvHeads; g++) {
            if (rope != null) {
                rope.rotateTranspose(scratch.dK[g], scratch.dK[g]);            // [T, D] → [T, D]
            }
            Ops.pasteBlock(scratch.dK[g], scratch.dQkv, first, modelDim + g * headDim);             // → [N, C+2GD]
            Ops.pasteBlock(scratch.dV[g], scratch.dQkv, first, modelDim + (kvHeads + g) * headDim); // → [N, C+2GD]
        }
    }

    static DMatrixRMaj[] matrices(int count) {
        DMatrixRMaj[] out = new DMatrixRMaj[count];
        for (int i = 0; i < count; i++) {
            out[i] = new DMatrixRMaj(0, 0);
        }
        return out;
    }
}
