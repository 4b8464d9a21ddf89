package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.LayerNorm;

/** One LayerNorm of the model (ln_1, ln_2 or ln_f) with its trained γ and β, its hooks and its backward pass. */
final class NormLayer {

    /** What the forward pass of a stack of sequences keeps for the backward pass. */
    static final class Activations {
        final DMatrixRMaj standardized = new DMatrixRMaj(0, 0); // [N, C] (x − μ)/√(σ² + ε)
        final DMatrixRMaj scale = new DMatrixRMaj(0, 0);        // [N, 1] √(σ² + ε)
        final DMatrixRMaj out = new DMatrixRMaj(0, 0);          // [N, C] γ ⊙ x̂ + β
    }

    private final DMatrixRMaj gamma; // [1, C]
    private final DMatrixRMaj beta;  // [1, C]
    private final String gammaName;
    private final String betaName;
    private final double epsilon;
    private final Hook scaleHook;
    private final Hook normalizedHook;
    private final int layer;

    /**
     * @param prefix parameter prefix, e.g. {@code h.0.ln_1} or {@code ln_f}
     * @param layer  block index, or −1 for the final LayerNorm
     */
    NormLayer(Parameters parameters, String prefix, double epsilon, Hook scaleHook, Hook normalizedHook, int layer) {
        this.gammaName = prefix + ".weight";
        this.betaName = prefix + ".bias";
        this.gamma = parameters.get(gammaName);
        this.beta = parameters.get(betaName);
        this.epsilon = epsilon;
        this.scaleHook = scaleHook;
        this.normalizedHook = normalizedHook;
        this.layer = layer;
    }

    /** LN(x): x [N, C] Not modified; returns act.out [N, C]. */
    DMatrixRMaj forward(DMatrixRMaj x, Activations act, TraceSink sink) {
        LayerNorm.forward(x, gamma, beta, epsilon, act.standardized, act.scale, act.out); // [N, C] → [N, C]
        Hooks.emit(sink, scaleHook, layer, act.scale);
        Hooks.emit(sink, normalizedHook, layer, act.out);
        return act.out;
    }

    /** dOut [N, C] Not modified; dX [N, C] Modified (overwritten, may be dOut); adds ∂L/∂γ, ∂L/∂β to grads. */
    void backward(DMatrixRMaj dOut, Activations act, Parameters grads, DMatrixRMaj dX) {
        // [N, C] → [N, C], adding to [1, C] and [1, C]
        LayerNorm.backward(dOut, act.standardized, act.scale, gamma, dX, grads.get(gammaName), grads.get(betaName));
    }
}
