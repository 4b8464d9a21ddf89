package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;

/** The position-wise half of a block: one dense feed-forward network or a mixture of experts. */
interface Mlp {

    /** What the forward pass of a stack of sequences keeps for the backward pass. */
    interface ForwardState {
    }

    /** Buffers of the backward pass; one set serves every block in turn. */
    interface BackwardBuffers {
    }

    ForwardState newActivations();

    BackwardBuffers newScratch();

    /** mlp(x): x [N, C] Not modified (kept by reference); returns the output [N, C], a matrix of act. */
    DMatrixRMaj forward(DMatrixRMaj x, ForwardState act, TraceSink sink);

    /** dOut [N, C] Not modified; dX [N, C] Modified (overwritten; not dOut); adds weight gradients to grads. */
    void backward(DMatrixRMaj dOut, ForwardState act, BackwardBuffers scratch, Parameters grads, DMatrixRMaj dX);
}
