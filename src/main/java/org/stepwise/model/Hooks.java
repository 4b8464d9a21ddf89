package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;

/** Hands one intermediate to a {@link TraceSink}, building its key only when the sink records anything. */
final class Hooks {
    private Hooks() {
    }

    /** A model-level hook ({@code layer} −1) or a block-level one. {@code value}: Not modified. */
    static void emit(TraceSink sink, Hook hook, int layer, DMatrixRMaj value) {
        if (sink.enabled()) {
            sink.accept(new HookKey(hook, layer, -1), value);
        }
    }

    /** One per-head matrix for each head, in head order. {@code values}: Not modified. */
    static void emitHeads(TraceSink sink, Hook hook, int layer, DMatrixRMaj[] values) {
        if (sink.enabled()) {
            for (int head = 0; head < values.length; head++) {
                sink.accept(new HookKey(hook, layer, head), values[head]);
            }
        }
    }
}
