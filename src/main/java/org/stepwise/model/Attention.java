package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.MatMul;
import org.stepwise.tensor.Ops;
import org.stepwise.tensor.RotaryEmbedding;
import org.stepwise.tensor.Softmax;

/**
 * Multi-head attention of one block, with grouped key/value heads (MHA when G = H, GQA in between, MQA
 * when G = 1) and optional RoPE, and its backward pass by hand: causal self-attention (decoder), self-attention
 * that sees the whole sequence (encoder), or cross-attention from a decoder to an encoder's output.
 *
 * <p>Self-attention: the fused projection c_attn [C, C + 2GD] yields, column by column, the H query heads,
 * then G key heads, then G value heads, D columns each. Cross-attention: q_attn [C, C] yields the query
 * heads from the decoder's rows, and c_attn [C, 2GD] the key heads then the value heads from the encoder's
 * rows (the memory, S rows per sequence); RoPE is never applied there. Query head h reads key/value head
 * h / (H/G). Scores are q·kᵀ/√D, with −∞ wherever a token would look at a later one (causal only).
 */
final class Attention {

    /** Which rows a query may look at. */
    enum Kind {
        /** Self-attention to this and earlier tokens (a decoder). */
        CAUSAL,
        /** Self-attention to every token of the sequence (an encoder). */
        BIDIRECTIONAL,
        /** Attention from the decoder's tokens to every row of the encoder's output. */
        CROSS
    }

    /** What the forward pass of a stack of sequences keeps for the backward pass (and shows the trace). */
    static final class Activations {
        DMatrixRMaj input;                                   // [N, C] the attention's input (a reference)
        final DMatrixRMaj qkv = new DMatrixRMaj(0, 0);       // [N, C + 2GD] self; [N, C] the queries (cross)
        DMatrixRMaj memory;                                  // [M, C] the encoder's output (cross only; a reference)
        final DMatrixRMaj kv = new DMatrixRMaj(0, 0);        // [M, 2GD] keys and values (cross only)
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
        final DMatrixRMaj[] k;                               // G × [S, D] (S = T in self-attention)
        final DMatrixRMaj[] v;                               // G × [S, D]
        final DMatrixRMaj[] rotQ;                            // H × [T, D] q after RoPE (without RoPE: q itself)
        final DMatrixRMaj[] rotK;                            // G × [S, D] k after RoPE (without RoPE: k itself)
        final DMatrixRMaj[] scores;                          // H × [T, S] scaled, masked when causal
        final DMatrixRMaj[] pattern;                         // H × [T, S] softmax of the scores
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
        final DMatrixRMaj dPattern = new DMatrixRMaj(0, 0);  // [T, S]
        final DMatrixRMaj dScores = new DMatrixRMaj(0, 0);   // [T, S]
        final DMatrixRMaj dQ = new DMatrixRMaj(0, 0);        // [T, D]
        final DMatrixRMaj[] dK;                              // G × [S, D]
        final DMatrixRMaj[] dV;                              // G × [S, D]
        final DMatrixRMaj dQkv = new DMatrixRMaj(0, 0);      // [N, C + 2GD] self; [N, C] ∂L/∂queries (cross)
        final DMatrixRMaj dKv = new DMatrixRMaj(0, 0);       // [M, 2GD] ∂L/∂(keys and values) (cross only)

        Scratch(int kvHeads) {
            dK = matrices(kvHeads);
            dV = matrices(kvHeads);
        }
    }

    private final int layer;
    private final Kind kind;
    private final int heads;          // H
    private final int kvHeads;        // G
    private final int headDim;        // D
    private final int modelDim;       // C
    private final int qkvDim;         // C + 2GD self; C cross (the columns the block's own rows project to)
    private final int keyColumn;      // first key column of the matrix keys are read from: C self, 0 cross
    private final double scoreScale;  // 1/√D
    private final RotaryEmbedding rope; // null unless RoPE (always null for cross-attention)
    private final DMatrixRMaj qkvWeight;  // [C, C + 2GD] self; [C, C] q_attn cross
    private final DMatrixRMaj qkvBias;    // [1, C + 2GD] self; [1, C] cross; or null
    private final DMatrixRMaj kvWeight;   // [C, 2GD] cross only
    private final DMatrixRMaj kvBias;     // [1, 2GD] cross only, or null
    private final DMatrixRMaj projWeight; // [C, C]
    private final DMatrixRMaj projBias;   // [1, C] or null
    private final String qkvWeightName;
    private final String qkvBiasName;
    private final String kvWeightName;
    private final String kvBiasName;
    private final String projWeightName;
    private final String projBiasName;
    private final Hook qHook;
    private final Hook kHook;
    private final Hook vHook;
    private final Hook scoresHook;
    private final Hook patternHook;
    private final Hook zHook;

    /** The causal self-attention {@code h.{layer}.attn} of a decoder-only model. */
    Attention(ModelConfig config, Parameters parameters, int layer, RotaryEmbedding rope) {
        this(config, parameters, "h." + layer + ".attn.", layer, rope, Kind.CAUSAL);
    }

    /**
     * @param prefix parameter prefix ending in a dot, e.g. {@code h.0.attn.}, {@code encoder.h.0.attn.} or
     *               {@code h.0.crossattention.}
     * @param rope   the rotation of q and k, or null; must be null for cross-attention
     */
    Attention(ModelConfig config, Parameters parameters, String prefix, int layer, RotaryEmbedding rope, Kind kind) {
        if (kind == Kind.CROSS && rope != null) {
            throw new IllegalArgumentException("cross-attention does not rotate q and k");
        }
        this.layer = layer;
        this.kind = kind;
        this.heads = config.nHead();
        this.kvHeads = config.nKvHead();
        this.headDim = config.headDim();
        this.modelDim = config.dModel();
        boolean cross = kind == Kind.CROSS;
        this.qkvDim = cross ? config.dModel() : config.qkvDim();
        this.keyColumn = cross ? 0 : config.dModel();
        this.scoreScale = 1.0 / Math.sqrt(headDim);
        this.rope = rope;
        qkvWeightName = prefix + (cross ? "q_attn.weight" : "c_attn.weight");
        qkvBiasName = config.bias() ? prefix + (cross ? "q_attn.bias" : "c_attn.bias") : null;
        kvWeightName = cross ? prefix + "c_attn.weight" : null;
        kvBiasName = cross && config.bias() ? prefix + "c_attn.bias" : null;
        projWeightName = prefix + "c_proj.weight";
        projBiasName = config.bias() ? prefix + "c_proj.bias" : null;
        qkvWeight = parameters.get(qkvWeightName);
        qkvBias = config.bias() ? parameters.get(qkvBiasName) : null;
        kvWeight = cross ? parameters.get(kvWeightName) : null;
        kvBias = kvBiasName != null ? parameters.get(kvBiasName) : null;
        projWeight = parameters.get(projWeightName);
        projBias = config.bias() ? parameters.get(projBiasName) : null;
        qHook = cross ? Hook.CROSS_Q : Hook.Q;
        kHook = cross ? Hook.CROSS_K : Hook.K;
        vHook = cross ? Hook.CROSS_V : Hook.V;
        scoresHook = cross ? Hook.CROSS_ATTN_SCORES : Hook.ATTN_SCORES;
        patternHook = cross ? Hook.CROSS_PATTERN : Hook.PATTERN;
        zHook = cross ? Hook.CROSS_Z : Hook.Z;
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
     * Self-attention attn(x) on a stack of sequences: x [N, C] Not modified (kept by reference for the
     * backward pass); returns act.out [N, C]. The projections run on all N rows at once; each sequence
     * attends only to its own rows. The trace shows the heads of the stack's first sequence (a lone
     * sequence when traced).
     */
    DMatrixRMaj forward(DMatrixRMaj x, StackedRows stack, Activations act, TraceSink sink) {
        if (kind == Kind.CROSS) {
            throw new IllegalStateException("cross-attention needs the encoder's output");
        }
        return forward(x, stack, x, stack, act, sink);
    }

    /**
     * Cross-attention of a stack of decoder sequences x [N, C] to the stack of their encoder outputs
     * memory [M, C] (sequence i of x reads sequence i of memory; both Not modified, kept by reference);
     * returns act.out [N, C]. For self-attention memory is x itself.
     */
    DMatrixRMaj forward(DMatrixRMaj x, StackedRows stack, DMatrixRMaj memory, StackedRows memoryStack,
                        Activations act, TraceSink sink) {
        int rows = x.numRows;
        act.input = x;
        act.qkv.reshape(rows, qkvDim);
        MatMul.mult(x, qkvWeight, act.qkv);                          // self: [N, C]·[C, C+2GD] → [N, C+2GD]; cross: [N, C]·[C, C] → [N, C]
        if (qkvBias != null) {
            Ops.addRowVector(act.qkv, qkvBias);                      // [N, C+2GD] + [1, C+2GD] or [N, C] + [1, C]
        }
        DMatrixRMaj keysAndValues = act.qkv;
        if (kind == Kind.CROSS) {
            act.memory = memory;
            act.kv.reshape(memory.numRows, qkvDimOfMemory());
            MatMul.mult(memory, kvWeight, act.kv);                   // [M, C]·[C, 2GD] → [M, 2GD]
            if (kvBias != null) {
                Ops.addRowVector(act.kv, kvBias);                    // [M, 2GD] + [1, 2GD]
            }
            keysAndValues = act.kv;
        }
        act.zAll.reshape(rows, modelDim);
        for (int i = 0; i < stack.count(); i++) {
            attendWithin(stack.start(i), stack.length(i), keysAndValues, memoryStack.start(i), memoryStack.length(i),
                    act.sequence(i), act, i == 0 ? sink : TraceSink.NONE);
        }
        act.out.reshape(rows, modelDim);
        MatMul.mult(act.zAll, projWeight, act.out);                           // [N, C]·[C, C] → [N, C]
        if (projBias != null) {
            Ops.addRowVector(act.out, projBias);                              // [N, C] + [1, C]
        }
        return act.out;
    }

    /** Width of the keys and values projected from the memory: 2GD. */
    private int qkvDimOfMemory() {
        return 2 * kvHeads * headDim;
    }

    /**
     * The heads of one sequence, rows [first, first + T) of the stack, reading keys and values from rows
     * [kvFirst, kvFirst + S) of keysAndValues (act.qkv itself for self-attention, act.kv for cross-attention):
     * from its rows of act.qkv to its rows of act.zAll (Modified).
     */
    private void attendWithin(int first, int tokens, DMatrixRMaj keysAndValues, int kvFirst, int kvTokens,
                              SequenceHeads seq, Activations act, TraceSink sink) {
        for (int h = 0; h < heads; h++) {
            Ops.copyBlock(act.qkv, first, tokens, h * headDim, headDim, seq.q[h]);      // [N, ·] → [T, D]
        }
        for (int g = 0; g < kvHeads; g++) {
            Ops.copyBlock(keysAndValues, kvFirst, kvTokens, keyColumn + g * headDim, headDim, seq.k[g]);  // → [S, D]
            Ops.copyBlock(keysAndValues, kvFirst, kvTokens, keyColumn + (kvHeads + g) * headDim, headDim,
                    seq.v[g]);                                                                             // → [S, D]
        }
        Hooks.emitHeads(sink, qHook, layer, seq.q);
        Hooks.emitHeads(sink, kHook, layer, seq.k);
        Hooks.emitHeads(sink, vHook, layer, seq.v);
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
            seq.scores[h].reshape(tokens, kvTokens);
            MatMul.multTransB(seq.rotQ[h], seq.rotK[kvHeadOf(h)], seq.scores[h]); // [T, D]·[S, D]ᵀ → [T, S]
            if (kind == Kind.CAUSAL) {
                scaleAndMaskFuture(seq.scores[h]);
            } else {
                Ops.scale(seq.scores[h], scoreScale);                          // [T, S] · 1/√D
            }
        }
        Hooks.emitHeads(sink, scoresHook, layer, seq.scores);
        for (int h = 0; h < heads; h++) {
            Softmax.rows(seq.scores[h], seq.pattern[h]);                      // [T, S] → [T, S]
        }
        Hooks.emitHeads(sink, patternHook, layer, seq.pattern);
        for (int h = 0; h < heads; h++) {
            seq.z[h].reshape(tokens, headDim);
            MatMul.mult(seq.pattern[h], seq.v[kvHeadOf(h)], seq.z[h]);        // [T, S]·[S, D] → [T, D]
            Ops.pasteBlock(seq.z[h], act.zAll, first, h * headDim);           // [T, D] → block of [N, C]
        }
        Hooks.emitHeads(sink, zHook, layer, seq.z);
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
     * Backward pass of self-attention: from dOut = ∂L/∂out [N, C] (Not modified) to dX = ∂L/∂x [N, C]
     * (Modified, overwritten; must not be dOut), adding this layer's weight gradients to grads.
     */
    void backward(DMatrixRMaj dOut, StackedRows stack, Activations act, Scratch scratch, Parameters grads,
                  DMatrixRMaj dX) {
        if (kind == Kind.CROSS) {
            throw new IllegalStateException("cross-attention passes a gradient to the encoder's output too");
        }
        backward(dOut, stack, stack, act, scratch, grads, dX, null);
    }

    /**
     * Backward pass of cross-attention: as {@link #backward(DMatrixRMaj, StackedRows, Activations, Scratch,
     * Parameters, DMatrixRMaj)}, and also adds ∂L/∂memory [M, C] to dMemory (Modified; already [M, C]).
     */
    void backward(DMatrixRMaj dOut, StackedRows stack, StackedRows memoryStack, Activations act, Scratch scratch,
                  Parameters grads, DMatrixRMaj dX, DMatrixRMaj dMemory) {
        int rows = dOut.numRows;
        boolean cross = kind == Kind.CROSS;
        // out = zAll·W_O + b_O
        MatMul.multAddTransA(act.zAll, dOut, grads.get(projWeightName));      // [N, C]ᵀ·[N, C] → [C, C]
        if (projBias != null) {
            Ops.addColumnSums(dOut, grads.get(projBiasName));                 // [N, C] → [1, C]
        }
        scratch.dZAll.reshape(rows, modelDim);
        MatMul.multTransB(dOut, projWeight, scratch.dZAll);                   // [N, C]·[C, C]ᵀ → [N, C]
        scratch.dQkv.reshape(rows, qkvDim);
        DMatrixRMaj dKeysAndValues = scratch.dQkv;
        if (cross) {
            scratch.dKv.reshape(act.memory.numRows, qkvDimOfMemory());
            dKeysAndValues = scratch.dKv;
        }
        for (int i = 0; i < stack.count(); i++) {
            attendWithinBackward(stack.start(i), stack.length(i), dKeysAndValues, memoryStack.start(i),
                    memoryStack.length(i), act.sequences[i], scratch);
        }
        // qkv = x·W_qkv + b_qkv (self), or q = x·W_q + b_q (cross)
        MatMul.multAddTransA(act.input, scratch.dQkv, grads.get(qkvWeightName)); // [N, C]ᵀ·[N, C+2GD] → [C, C+2GD] (cross: → [C, C])
        if (qkvBias != null) {
            Ops.addColumnSums(scratch.dQkv, grads.get(qkvBiasName));           // [N, C+2GD] → [1, C+2GD] (cross: → [1, C])
        }
        dX.reshape(rows, modelDim);
        MatMul.multTransB(scratch.dQkv, qkvWeight, dX);                        // [N, C+2GD]·[C, C+2GD]ᵀ → [N, C]
        if (cross) {
            // kv = memory·W_kv + b_kv
            MatMul.multAddTransA(act.memory, scratch.dKv, grads.get(kvWeightName)); // [M, C]ᵀ·[M, 2GD] → [C, 2GD]
            if (kvBias != null) {
                Ops.addColumnSums(scratch.dKv, grads.get(kvBiasName));         // [M, 2GD] → [1, 2GD]
            }
            MatMul.multAddTransB(scratch.dKv, kvWeight, dMemory);             // [M, 2GD]·[C, 2GD]ᵀ → [M, C], added
        }
    }

    /**
     * Backward pass of {@link #attendWithin} for the sequence at rows [first, first + T): from its rows of
     * scratch.dZAll to its rows of scratch.dQkv and rows [kvFirst, kvFirst + S) of dKeysAndValues (Modified;
     * scratch.dQkv itself for self-attention, scratch.dKv for cross-attention).
     */
    private void attendWithinBackward(int first, int tokens, DMatrixRMaj dKeysAndValues, int kvFirst, int kvTokens,
                                      SequenceHeads seq, Scratch scratch) {
        for (int g = 0; g < kvHeads; g++) {
            scratch.dK[g].reshape(kvTokens, headDim);
            scratch.dK[g].zero();
            scratch.dV[g].reshape(kvTokens, headDim);
            scratch.dV[g].zero();
        }
        scratch.dPattern.reshape(tokens, kvTokens);
        scratch.dQ.reshape(tokens, headDim);
        for (int h = 0; h < heads; h++) {
            int g = kvHeadOf(h);
            Ops.copyBlock(scratch.dZAll, first, tokens, h * headDim, headDim, scratch.dZ); // [N, C] → [T, D]
            // z = pattern·v
            MatMul.multTransB(scratch.dZ, seq.v[g], scratch.dPattern);         // [T, D]·[S, D]ᵀ → [T, S]
            MatMul.multAddTransA(seq.pattern[h], scratch.dZ, scratch.dV[g]);   // [T, S]ᵀ·[T, D] → [S, D]
            // pattern = softmax(scores), scores = q·kᵀ/√D (masked cells have pattern 0 and get 0)
            Softmax.rowsBackward(seq.pattern[h], scratch.dPattern, scratch.dScores); // [T, S] → [T, S]
            Ops.scale(scratch.dScores, scoreScale);
            MatMul.mult(scratch.dScores, seq.rotK[g], scratch.dQ);             // [T, S]·[S, D] → [T, D]
            MatMul.multAddTransA(scratch.dScores, seq.rotQ[h], scratch.dK[g]); // [T, S]ᵀ·[T, D] → [S, D]
            if (rope != null) {
                rope.rotateTranspose(scratch.dQ, scratch.dQ);                  // [T, D] → [T, D]
            }
            Ops.pasteBlock(scratch.dQ, scratch.dQkv, first, h * headDim);      // [T, D] → block of [N, ·]
        }
        for (int g = 0; g < kvHeads; g++) {
            if (rope != null) {
                rope.rotateTranspose(scratch.dK[g], scratch.dK[g]);            // [S, D] → [S, D]
            }
            Ops.pasteBlock(scratch.dK[g], dKeysAndValues, kvFirst, keyColumn + g * headDim);             // → [M, ·]
            Ops.pasteBlock(scratch.dV[g], dKeysAndValues, kvFirst, keyColumn + (kvHeads + g) * headDim); // → [M, ·]
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
