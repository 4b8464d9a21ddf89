package org.stepwise.pipeline;

import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.sample.SamplingSettings;

/**
 * Names one tensor a stage shows: a recorded intermediate, a block of columns of a parameter, or a
 * quantity derived from the trace (the token ids, the unmasked scores, all heads side by side, a
 * post-LN residual sum, the output probabilities). {@link TensorValues#of} turns a reference into numbers.
 */
public sealed interface TensorRef {

    /** A recorded intermediate of the trace. */
    record Hooked(HookKey key) implements TensorRef {
        public Hooked {
            if (key == null) {
                throw new IllegalArgumentException("key is required");
            }
        }
    }

    /**
     * Columns [firstColumn, firstColumn + columns) of every row of the parameter {@code name}, e.g. W_Q of
     * head h is columns [h·D, (h+1)·D) of {@code h.{l}.attn.c_attn.weight}; a bias is a one-row parameter.
     */
    record Weight(String name, int firstColumn, int columns) implements TensorRef {
        public Weight {
            if (name == null || firstColumn < 0 || columns < 1) {
                throw new IllegalArgumentException("a weight needs a name, a first column ≥ 0 and ≥ 1 columns; got "
                        + name + ", " + firstColumn + ", " + columns);
            }
        }
    }

    /** The token ids the model reads, [T, 1]. */
    record TokenIds() implements TensorRef {
    }

    /** The token ids as one-hot rows, [T, V]: the embedding is this matrix times the embedding table. */
    record OneHot() implements TensorRef {
    }

    /** q·kᵀ/√D of one query head before the causal mask, [T, T] (RoPE: of the rotated q and k). */
    record UnmaskedScores(int layer, int head) implements TensorRef {
    }

    /** Every head's z side by side, [T, C]: the input of the attention's output projection. */
    record ConcatenatedHeads(int layer) implements TensorRef {
    }

    /**
     * A post-LN residual sum, [T, C], the input of the LayerNorm that follows it: resid_pre + attn_out
     * ({@code branch} = {@link Hook#ATTN_OUT}) or resid_mid + mlp_out ({@code branch} = {@link Hook#MLP_OUT}).
     */
    record ResidualSum(int layer, Hook branch) implements TensorRef {
        public ResidualSum {
            if (branch != Hook.ATTN_OUT && branch != Hook.MLP_OUT) {
                throw new IllegalArgumentException("a residual sum adds ATTN_OUT or MLP_OUT, got " + branch);
            }
        }
    }

    /** Every cross-attention head's z side by side, [T, C]: the input of the cross-attention's output projection. */
    record CrossHeads(int layer) implements TensorRef {
    }

    /**
     * A post-LN decoder block's cross-attention residual sum, [T, C], the input of ln_cross:
     * resid_mid + cross_attn_out.
     */
    record CrossResidualSum(int layer) implements TensorRef {
    }

    /** The next-token probabilities of every position under {@code settings}, [T, V]. */
    record Probabilities(SamplingSettings settings) implements TensorRef {
        public Probabilities {
            if (settings == null) {
                throw new IllegalArgumentException("settings are required");
            }
        }
    }

    static TensorRef hook(Hook hook) {
        return new Hooked(HookKey.of(hook));
    }

    static TensorRef hook(Hook hook, int layer) {
        return new Hooked(HookKey.of(hook, layer));
    }

    static TensorRef hook(Hook hook, int layer, int head) {
        return new Hooked(HookKey.of(hook, layer, head));
    }

    /** A whole parameter. */
    static TensorRef weight(String name, int columns) {
        return new Weight(name, 0, columns);
    }
}
