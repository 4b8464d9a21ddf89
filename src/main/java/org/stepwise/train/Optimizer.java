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

    /** Which optimizer this is. */
    Kind kind();

    /** A copy of the current state (step count and buffers); the optimizer keeps working on its own. */
    OptimizerState state();

    /**
     * Replaces the current state with a copy of {@code state} (Not modified), e.g. one saved with a session.
     *
     * @throws IllegalArgumentException when the state belongs to another optimizer or to weights of another layout
     */
    void setState(OptimizerState state);

    /** Which optimizer. */
    enum Kind { SGD, ADAMW }
}
