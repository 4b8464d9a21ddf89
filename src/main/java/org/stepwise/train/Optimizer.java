package org.stepwise.train;

import org.stepwise.model.Parameters;

/** Changes the weights one step against their gradient. */
public interface Optimizer {

    /**
     * One update.
     *
     * @param weights      Modified.
     * @param gradients    Not modified. Same layout as {@code weights}.
     * @param learningRate the step size of this update
     */
    void step(Parameters weights, Parameters gradients, double learningRate);

    /** Number of updates made so far. */
    long steps();

    /** Remembers the current state (step count, moments) in buffers allocated once. */
    void rememberState();

    /** Goes back to the state saved by the last {@link #rememberState()}. */
    void restoreState();

    /** Which optimizer. */
    enum Kind { SGD, ADAMW }
}
