package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.Activations;
import org.stepwise.tensor.MatMul;
import org.stepwise.tensor.Ops;

/**
 * A two-layer feed-forward network, out = act(x·W_fc + b_fc)·W_proj + b_proj, [N, C] → [N, F] → [N, C]:
 * the dense MLP of a block, or one expert of a mixture.
 */
final class FeedForward implements Mlp {

    /** What one forward pass keeps for the backward pass. */
    static final class State implements Mlp.ForwardState {
        DMatrixRMaj input;                                  // [N, C] (a reference)
        final DMatrixRMaj pre = new DMatrixRMaj(0, 0);      // [N, F] before the activation
        final DMatrixRMaj post = new DMatrixRMaj(0, 0);     // [N, F] after the activation
        final DMatrixRMaj sigmoid = new DMatrixRMaj(0, 0);  // [N, F] GELU-tanh's σ(2u), kept for the backward pass
        final DMatrixRMaj out = new DMatrixRMaj(0, 0);      // [N, C]
    }

    /** Backward buffers. */
    static final class Buffers implements Mlp.BackwardBuffers {
        final DMatrixRMaj dPost = new DMatrixRMaj(0, 0);    // [N, F]
        final DMatrixRMaj dPre = new DMatrixRMaj(0, 0);     // [N, F]
    }

    private final int layer;
    private final boolean emitsHooks;  // the dense MLP shows mlp.hook_pre/post; experts do not
    private final ModelConfig.Activation activation;
    private final int hiddenDim;       // F
    private final int modelDim;        // C
    private final DMatrixRMaj fcWeight;   // [C, F]
    private final DMatrixRMaj fcBias;     // [1, F] or null
    private final DMatrixRMaj projWeight; // [F, C]
    private final DMatrixRMaj projBias;   // [1, C] or null
    private final String fcWeightName;
    private final String fcBiasName;
    private final String projWeightName;
    private final String projBiasName;

    /** @param prefix e.g. {@code h.0.mlp} or {@code h.0.mlp.experts.2} */
    FeedForward(ModelConfig config, Parameters parameters, String prefix, int layer, boolean emitsHooks) {
        this.layer = layer;
        this.emitsHooks = emitsHooks;
        this.activation = config.activation();
        this.hiddenDim = config.dFf();
        this.modelDim = config.dModel();
        fcWeightName = prefix + ".c_fc.weight";
        fcBiasName = config.bias() ? prefix + ".c_fc.bias" : null;
        projWeightName = prefix + ".c_proj.weight";
        projBiasName = config.bias() ? prefix + ".c_proj.bias" : null;
        fcWeight = parameters.get(fcWeightName);
        fcBias = config.bias() ? parameters.get(fcBiasName) : null;
        projWeight = parameters.get(projWeightName);
        projBias = config.bias() ? parameters.get(projBiasName) : null;
    }

    @Override
    public State newActivations() {
        return new State();
    }

    @Override
    public Buffers newScratch() {
        return new Buffers();
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj x, Mlp.ForwardState activations, TraceSink sink) {
        State act = (State) activations;
        int tokens = x.numRows;
        act.input = x;
        act.pre.reshape(tokens, hiddenDim);
        MatMul.mult(x, fcWeight, act.pre);                        // [N, C]·[C, F] → [N, F]
        if (fcBias != null) {
            Ops.addRowVector(act.pre, fcBias);                    // [N, F] + [1, F]
        }
        switch (activation) {                                     // [N, F] → [N, F]
            case RELU -> Activations.relu(act.pre, act.post);
            case GELU_TANH -> Activations.geluTanh(act.pre, act.post, act.sigmoid);
            case GELU_ERF -> Activations.geluErf(act.pre, act.post);
        }
        if (emitsHooks) {
            Hooks.emit(sink, Hook.MLP_PRE, layer, act.pre);
            Hooks.emit(sink, Hook.MLP_POST, layer, act.post);
        }
        act.out.reshape(tokens, modelDim);
        MatMul.mult(act.post, projWeight, act.out);               // [N, F]·[F, C] → [N, C]
        if (projBias != null) {
            Ops.addRowVector(act.out, projBias);                  // [N, C] + [1, C]
        }
        return act.out;
    }

    @Override
    public void backward(DMatrixRMaj dOut, Mlp.ForwardState activations, Mlp.BackwardBuffers scratch, Parameters grads,
                         DMatrixRMaj dX) {
        State act = (State) activations;
        Buffers buffers = (Buffers) scratch;
        int tokens = dOut.numRows;
        // out = post·W_proj + b_proj
        MatMul.multAddTransA(act.post, dOut, grads.get(projWeightName));   // [N, F]ᵀ·[N, C] → [F, C]
        if (projBias != null) {
            Ops.addColumnSums(dOut, grads.get(projBiasName));              // [N, C] → [1, C]
        }
        buffers.dPost.reshape(tokens, hiddenDim);
        MatMul.multTransB(dOut, projWeight, buffers.dPost);                // [N, C]·[F, C]ᵀ → [N, F]
        // post = act(pre)
        switch (activation) {                                              // [N, F] → [N, F]
            case RELU -> Activations.reluBackward(act.pre, buffers.dPost, buffers.dPre);
            case GELU_TANH -> Activations.geluTanhBackward(act.pre, act.sigmoid, buffers.dPost, buffers.dPre);
            case GELU_ERF -> Activations.geluErfBackward(act.pre, buffers.dPost, buffers.dPre);
        }
        // pre = x·W_fc + b_fc
        MatMul.multAddTransA(act.input, buffers.dPre, grads.get(fcWeightName)); // [N, C]ᵀ·[N, F] → [C, F]
        if (fcBias != null) {
            Ops.addColumnSums(buffers.dPre, grads.get(fcBiasName));        // [N, F] → [1, F]
        }
        dX.reshape(tokens, modelDim);
        MatMul.multTransB(buffers.dPre, fcWeight, dX);                     // [N, F]·[C, F]ᵀ → [N, C]
    }
}
