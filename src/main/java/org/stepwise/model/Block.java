package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.Ops;
import org.stepwise.tensor.RotaryEmbedding;

/**
 * One transformer block: attention, then the MLP, each on a residual connection, with LayerNorm
 * before each (pre-LN, GPT-2) or after each sum (post-LN, the original transformer). A decoder block of an
 * encoder-decoder model has a third sublayer between the two, cross-attention to the encoder's output with
 * its own LayerNorm ln_cross_attn, whose result is hook_resid_cross.
 *
 * <p>Hook names in post-LN blocks: ln1 normalises resid_pre + attn_out and its output is
 * hook_resid_mid (so ln1.hook_normalized and hook_resid_mid hold the same values); likewise ln2's output
 * is hook_resid_post. Hooks are emitted in the order they are computed, so in a post-LN block
 * ln1.* follows hook_attn_out and ln2.* follows hook_mlp_out.
 */
final class Block {

    /** What the forward pass of a stack of sequences keeps for the backward pass. */
    static final class Activations {
        final NormLayer.Activations ln1 = new NormLayer.Activations();
        final Attention.Activations attention;
        final DMatrixRMaj residMid = new DMatrixRMaj(0, 0);    // [N, C] pre-LN: x + attn(ln_1(x))
        final DMatrixRMaj attnSum = new DMatrixRMaj(0, 0);     // [N, C] post-LN: x + attn(x), the input of ln_1
        final NormLayer.Activations lnCross = new NormLayer.Activations();
        final Attention.Activations crossAttention;            // null without cross-attention
        final DMatrixRMaj residCross = new DMatrixRMaj(0, 0);  // [N, C] pre-LN: mid + cross(ln_cross(mid), memory)
        final DMatrixRMaj crossSum = new DMatrixRMaj(0, 0);    // [N, C] post-LN: mid + cross(mid, memory)
        final NormLayer.Activations ln2 = new NormLayer.Activations();
        final Mlp.ForwardState mlp;
        final DMatrixRMaj residPost = new DMatrixRMaj(0, 0);   // [N, C] pre-LN: x + mlp(ln_2(x))
        final DMatrixRMaj mlpSum = new DMatrixRMaj(0, 0);      // [N, C] post-LN: x + mlp(x), the input of ln_2

        Activations(Attention.Activations attention, Attention.Activations crossAttention, Mlp.ForwardState mlp) {
            this.attention = attention;
            this.crossAttention = crossAttention;
            this.mlp = mlp;
        }
    }

    /** Backward buffers; one set serves every block in turn (and a block's self- and cross-attention in turn). */
    static final class Scratch {
        final Attention.Scratch attention;
        final Mlp.BackwardBuffers mlp;
        final DMatrixRMaj dNormOut = new DMatrixRMaj(0, 0);   // [N, C] ∂L/∂(a LayerNorm's output), pre-LN
        final DMatrixRMaj dBranch = new DMatrixRMaj(0, 0);    // [N, C] ∂L/∂x through one residual branch
        final DMatrixRMaj dSum = new DMatrixRMaj(0, 0);       // [N, C] ∂L/∂(x + f(x)), post-LN

        Scratch(Attention.Scratch attention, Mlp.BackwardBuffers mlp) {
            this.attention = attention;
            this.mlp = mlp;
        }
    }

    private final int layer;
    private final boolean preLn;
    private final NormLayer ln1;
    private final Attention attention;
    private final NormLayer lnCross;          // null without cross-attention
    private final Attention crossAttention;   // null without cross-attention
    private final NormLayer ln2;
    private final Mlp mlp;

    /** Block {@code h.{layer}} of a decoder-only model. */
    Block(ModelConfig config, Parameters parameters, int layer, RotaryEmbedding rope) {
        this(config, parameters, "h." + layer + ".", layer, rope, Attention.Kind.CAUSAL, false);
    }

    /**
     * @param prefix    parameter prefix ending in a dot, e.g. {@code h.0.} or {@code encoder.h.0.}
     * @param selfKind  causal (decoder) or bidirectional (encoder) self-attention
     * @param withCross true for a decoder block of an encoder-decoder model (dense FFN only)
     */
    Block(ModelConfig config, Parameters parameters, String prefix, int layer, RotaryEmbedding rope,
          Attention.Kind selfKind, boolean withCross) {
        if (selfKind == Attention.Kind.CROSS) {
            throw new IllegalArgumentException("a block's first attention is self-attention");
        }
        this.layer = layer;
        this.preLn = config.norm() == ModelConfig.Norm.PRE_LN;
        double epsilon = config.layerNormEps();
        ln1 = new NormLayer(parameters, prefix + "ln_1", epsilon, Hook.LN1_SCALE, Hook.LN1_NORMALIZED, layer);
        attention = new Attention(config, parameters, prefix + "attn.", layer, rope, selfKind);
        if (withCross) {
            lnCross = new NormLayer(parameters, prefix + "ln_cross_attn", epsilon, Hook.LN_CROSS_SCALE,
                    Hook.LN_CROSS_NORMALIZED, layer);
            crossAttention = new Attention(config, parameters, prefix + "crossattention.", layer, null,
                    Attention.Kind.CROSS);
        } else {
            lnCross = null;
            crossAttention = null;
        }
        ln2 = new NormLayer(parameters, prefix + "ln_2", epsilon, Hook.LN2_SCALE, Hook.LN2_NORMALIZED, layer);
        if (config.isMoe() && !prefix.equals("h." + layer + ".")) {
            throw new IllegalArgumentException("a mixture of experts is only built into a decoder-only model");
        }
        mlp = config.isMoe()
                ? new MixtureOfExperts(config, parameters, layer)
                : new FeedForward(config, parameters, prefix + "mlp", layer, true);
    }

    Activations newActivations() {
        return new Activations(attention.newActivations(),
                crossAttention == null ? null : crossAttention.newActivations(), mlp.newActivations());
    }

    Scratch newScratch() {
        return new Scratch(attention.newScratch(), mlp.newScratch());
    }

    /**
     * The block on the residual stream x [N, C] of a stack of sequences (Not modified); returns
     * hook_resid_post [N, C], a matrix of act.
     */
    DMatrixRMaj forward(DMatrixRMaj x, StackedRows stack, Activations act, TraceSink sink) {
        if (crossAttention != null) {
            throw new IllegalStateException("a block with cross-attention needs the encoder's output");
        }
        return forward(x, stack, null, null, act, sink);
    }

    /**
     * A decoder block with cross-attention: as {@link #forward(DMatrixRMaj, StackedRows, Activations, TraceSink)},
     * reading the encoder's output memory [M, C] (Not modified, kept by reference) whose sequences memoryStack
     * lists; memory is null in a block without cross-attention.
     */
    DMatrixRMaj forward(DMatrixRMaj x, StackedRows stack, DMatrixRMaj memory, StackedRows memoryStack,
                        Activations act, TraceSink sink) {
        emitted(Hook.RESID_PRE, x, sink);
        if (preLn) {
            // x = x + attn(ln_1(x))
            DMatrixRMaj attnOut = attn(ln1.forward(x, act.ln1, sink), stack, act, sink);
            DMatrixRMaj mid = emitted(Hook.RESID_MID, Ops.add(x, attnOut, act.residMid), sink);    // [N, C] + [N, C]
            if (crossAttention != null) {
                // x = x + cross(ln_cross(x), memory)
                DMatrixRMaj crossOut = cross(lnCross.forward(mid, act.lnCross, sink), stack, memory, memoryStack,
                        act, sink);
                mid = emitted(Hook.RESID_CROSS, Ops.add(mid, crossOut, act.residCross), sink);     // [N, C] + [N, C]
            }
            // x = x + mlp(ln_2(x))
            DMatrixRMaj mlpOut = mlp(ln2.forward(mid, act.ln2, sink), act, sink);
            return emitted(Hook.RESID_POST, Ops.add(mid, mlpOut, act.residPost), sink);           // [N, C] + [N, C]
        }
        // x = ln_1(x + attn(x))
        DMatrixRMaj attnSum = Ops.add(x, attn(x, stack, act, sink), act.attnSum);                 // [N, C] + [N, C]
        DMatrixRMaj mid = emitted(Hook.RESID_MID, ln1.forward(attnSum, act.ln1, sink), sink);
        if (crossAttention != null) {
            // x = ln_cross(x + cross(x, memory))
            DMatrixRMaj crossSum = Ops.add(mid, cross(mid, stack, memory, memoryStack, act, sink),
                    act.crossSum);                                                                 // [N, C] + [N, C]
            mid = emitted(Hook.RESID_CROSS, lnCross.forward(crossSum, act.lnCross, sink), sink);
        }
        // x = ln_2(x + mlp(x))
        DMatrixRMaj mlpSum = Ops.add(mid, mlp(mid, act, sink), act.mlpSum);                        // [N, C] + [N, C]
        return emitted(Hook.RESID_POST, ln2.forward(mlpSum, act.ln2, sink), sink);
    }

    private DMatrixRMaj cross(DMatrixRMaj x, StackedRows stack, DMatrixRMaj memory, StackedRows memoryStack,
                              Activations act, TraceSink sink) {
        return emitted(Hook.CROSS_ATTN_OUT,
                crossAttention.forward(x, stack, memory, memoryStack, act.crossAttention, sink), sink);
    }

    private DMatrixRMaj attn(DMatrixRMaj x, StackedRows stack, Activations act, TraceSink sink) {
        return emitted(Hook.ATTN_OUT, attention.forward(x, stack, act.attention, sink), sink);
    }

    private DMatrixRMaj mlp(DMatrixRMaj x, Activations act, TraceSink sink) {
        return emitted(Hook.MLP_OUT, mlp.forward(x, act.mlp, sink), sink);
    }

    private DMatrixRMaj emitted(Hook hook, DMatrixRMaj value, TraceSink sink) {
        Hooks.emit(sink, hook, layer, value);
        return value;
    }

    /**
     * Backward pass of {@link #forward}. dX [N, C]: on entry ∂L/∂resid_post, on return ∂L/∂resid_pre (Modified).
     * Adds this block's weight gradients to grads.
     */
    void backward(DMatrixRMaj dX, StackedRows stack, Activations act, Scratch scratch, Parameters grads) {
        if (crossAttention != null) {
            throw new IllegalStateException("a block with cross-attention passes a gradient to the encoder's output");
        }
        backward(dX, stack, null, act, scratch, grads, null);
    }

    /**
     * Backward pass of a decoder block with cross-attention: as {@link #backward(DMatrixRMaj, StackedRows,
     * Activations, Scratch, Parameters)}, and adds ∂L/∂memory [M, C] to dMemory (Modified; already [M, C]).
     * In a block without cross-attention memoryStack and dMemory are null and unused.
     */
    void backward(DMatrixRMaj dX, StackedRows stack, StackedRows memoryStack, Activations act, Scratch scratch,
                  Parameters grads, DMatrixRMaj dMemory) {
        boolean cross = crossAttention != null;
        if (preLn) {
            // x = x + mlp(ln_2(x)):  ∂L/∂x += ln_2'ᵀ mlp'ᵀ ∂L/∂x
            mlp.backward(dX, act.mlp, scratch.mlp, grads, scratch.dNormOut);
            ln2.backward(scratch.dNormOut, act.ln2, grads, scratch.dBranch);
            Ops.addInPlace(dX, scratch.dBranch);                                  // [N, C] += [N, C]
            if (cross) {
                // x = x + cross(ln_cross(x), memory)
                crossAttention.backward(dX, stack, memoryStack, act.crossAttention, scratch.attention, grads,
                        scratch.dNormOut, dMemory);
                lnCross.backward(scratch.dNormOut, act.lnCross, grads, scratch.dBranch);
                Ops.addInPlace(dX, scratch.dBranch);                              // [N, C] += [N, C]
            }
            // x = x + attn(ln_1(x))
            attention.backward(dX, stack, act.attention, scratch.attention, grads, scratch.dNormOut);
            ln1.backward(scratch.dNormOut, act.ln1, grads, scratch.dBranch);
            Ops.addInPlace(dX, scratch.dBranch);                                  // [N, C] += [N, C]
            return;
        }
        // x = ln_2(x + mlp(x)):  s = ln_2'ᵀ ∂L/∂x;  ∂L/∂x = s + mlp'ᵀ s
        ln2.backward(dX, act.ln2, grads, scratch.dSum);
        mlp.backward(scratch.dSum, act.mlp, scratch.mlp, grads, dX);
        Ops.addInPlace(dX, scratch.dSum);                                         // [N, C] += [N, C]
        if (cross) {
            // x = ln_cross(x + cross(x, memory))
            lnCross.backward(dX, act.lnCross, grads, scratch.dSum);
            crossAttention.backward(scratch.dSum, stack, memoryStack, act.crossAttention, scratch.attention, grads,
                    dX, dMemory);
            Ops.addInPlace(dX, scratch.dSum);                                     // [N, C] += [N, C]
        }
        // x = ln_1(x + attn(x))
        ln1.backward(dX, act.ln1, grads, scratch.dSum);
        attention.backward(scratch.dSum, stack, act.attention, scratch.attention, grads, dX);
        Ops.addInPlace(dX, scratch.dSum);                                         // [N, C] += [N, C]
    }
}
