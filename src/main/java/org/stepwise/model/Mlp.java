package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;

/** The position-wise half of a block: one dense feed-forward network or a mixture of experts. */
interface Mlp {

    /** What one sequence's forward pass keeps for the backward pass. */
    interface ForwardState {
    }

    /** Buffers of the backward pass; one set serves every block in turn. */
    interface BackwardBuffers {
    }

    ForwardState newActivations();

    BackwardBuffers newScratch();

    /** mlp(x): x [T, C] Not modified (kept by reference); returns the output [T, C], a matrix of act. */
    DMatrixRMaj forward(DMatrixRMaj x, ForwardState act, TraceSink sink);

    /** dOut [T, C] Not modified; dX [T, C] Modified (overwritten; not dOut); adds weight gradients to grads. */
    void backward(DMatrixRMaj dOut, ForwardState act, BackwardBuffers scratch, Parameters grads, DMatrixRMaj dX);
}
