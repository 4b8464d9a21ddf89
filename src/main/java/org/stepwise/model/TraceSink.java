package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;

/**
 * Receives every named intermediate of a forward pass. The matrix handed over is a workspace of
 * the model: a sink that keeps it must copy it. {@link #NONE} records nothing and costs nothing,
 * so training runs through the same code as the traced forward pass.
 */
public interface TraceSink {

    TraceSink NONE = new TraceSink() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void accept(HookKey key, DMatrixRMaj value) {
        }
    };

    /** False when nothing is recorded; the model then skips building per-head views for the sink. */
    default boolean enabled() {
        return true;
    }

    /** One intermediate. {@code value}: not modified, and only valid during the call. */
    void accept(HookKey key, DMatrixRMaj value);
}
