package org.stepwise.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.stepwise.model.Parameters;

/**
 * A copy of an optimizer's state, for saving a training session and for changing a setting without
 * losing what the optimizer has learned: which optimizer, its update count and its named buffers
 * (AdamW: {@code exp_avg} and {@code exp_avg_sq}, as PyTorch names them; SGD: none).
 *
 * @param kind    which optimizer the state belongs to
 * @param steps   updates the optimizer has made (AdamW's bias correction depends on it)
 * @param buffers per-weight buffers by name, each with the layout of the weights; copies owned by this record
 */
public record OptimizerState(Optimizer.Kind kind, long steps, Map<String, Parameters> buffers) {

    public OptimizerState {
        if (kind == null || buffers == null) {
            throw new IllegalArgumentException("an optimizer state needs its kind and its buffers");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("an optimizer cannot have made " + steps + " updates");
        }
        buffers = Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
    }

    /** The buffer named {@code name}; throws when the state has none of that name. */
    public Parameters buffer(String name) {
        Parameters buffer = buffers.get(name);
        if (buffer == null) {
            throw new IllegalArgumentException("the " + kind + " optimizer state has no buffer " + name
                    + " (it has " + buffers.keySet() + ")");
        }
        return buffer;
    }
}
