package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.Ops;
import org.stepwise.tensor.RotaryEmbedding;

/**
 * One transformer block: attention, then the MLP, each on a residual connection, with LayerNorm
 * before each (pre-LN, GPT-2) or after each sum (post-LN, the original transformer).
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
        final NormLayer.Activations ln2 = new NormLayer.Activations();
        final Mlp.ForwardState mlp;
        final DMatrixRMaj residPost = new DMatrixRMaj(0, 0);   // [N, C] pre-LN: x + mlp(ln_2(x))
        final DMatrixRMaj mlpSum = new DMatrixRMaj(0, 0);      // [N, C] post-LN: x + mlp(x), the input of ln_2

        Activations(Attention.Activations attention, Mlp.ForwardState mlp) {
            this.attention = attention;
            this.mlp = mlp;
        }
    }

    /** Backward buffers; one set serves every block in turn. */
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
    private final NormLayer ln2;
    private final Mlp mlp;

    Block(ModelConfig config, Parameters parameters, int layer, RotaryEmbedding rope) {
        this.layer = layer;
        this.preLn = config.norm() == ModelConfig.Norm.PRE_LN;
        String prefix = "h." + layer + ".";
        double epsilon = config.layerNormEps();
        ln1 = new NormLayer(parameters, prefix + "ln_1", epsilon, Hook.LN1_SCALE, Hook.LN1_NORMALIZED, layer);
        attention = new Attention(config, parameters, layer, rope);
        ln2 = new NormLayer(parameters, prefix + "ln_2", epsilon, Hook.LN2_SCALE, Hook.LN2_NORMALIZED, layer);
        mlp = config.isMoe()
                ? new MixtureOfExperts(config, parameters, layer)
                : new FeedForward(config, parameters, prefix + "mlp", layer, true);
    }

    Activations newActivations() {
        return new Activations(attention.newActivations(), mlp.newActivations());
    }

    Scratch newScratch() {
        return new Scratch(attention.newScratch(), mlp.newScratch());
    }

    /**
     * The block on the residual stream x [N, C] of a stack of sequences (Not modified); returns
     * hook_resid_post [N, C], a matrix of act.
     */
    DMatrixRMaj forward(DMatrixRMaj x, StackedRows stack, Activations act, TraceSink sink) {
        emitted(Hook.RESID_PRE, x, sink);
        if (preLn) {
            // x = x + attn(ln_1(x))
            DMatrixRMaj attnOut = attn(ln1.forward(x, act.ln1, sink), stack, act, sink);
            DMatrixRMaj mid = emitted(Hook.RESID_MID, Ops.add(x, attnOut, act.residMid), sink);    // [N, C] + [N, C]
            // x = x + mlp(ln_2(x))
            DMatrixRMaj mlpOut = mlp(ln2.forward(mid, act.ln2, sink), act, sink);
            return emitted(Hook.RESID_POST, Ops.add(mid, mlpOut, act.residPost), sink);           // [N, C] + [N, C]
        }
        // x = ln_1(x + attn(x))
        DMatrixRMaj attnSum = Ops.add(x, attn(x, stack, act, sink), act.attnSum);                 // [N, C] + [N, C]
        DMatrixRMaj mid = emitted(Hook.RESID_MID, ln1.forward(attnSum, act.ln1, sink), sink);
        // x = ln_2(x + mlp(x))
        DMatrixRMaj mlpSum = Ops.add(mid, mlp(mid, act, sink), act.mlpSum);                        // [N, C] + [N, C]
        return emitted(Hook.RESID_POST, ln2.forward(mlpSum, act.ln2, sink), sink);
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
        if (preLn) {
            // x = x + mlp(ln_2(x)):  ∂L/∂x += ln_2'ᵀ mlp'ᵀ ∂L/∂x
            mlp.backward(dX, act.mlp, scratch.mlp, grads, scratch.dNormOut);
            ln2.backward(scratch.dNormOut, act.ln2, grads, scratch.dBranch);
            Ops.addInPlace(dX, scratch.dBranch);                                  // [N, C] += [N, C]
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
        // x = ln_1(x + attn(x))
        ln1.backward(dX, act.ln1, grads, scratch.dSum);
        attention.backward(scratch.dSum, stack, act.attention, scratch.attention, grads, dX);
        Ops.addInPlace(dX, scratch.dSum);                                         // [N, C] += [N, C]
    }
}
