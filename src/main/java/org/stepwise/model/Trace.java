package org.stepwise.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.ejml.data.DMatrixRMaj;

/**
 * A recorded forward pass: every named intermediate in the order the model computed it, as copies
 * that nothing can change.
 *
 * <p>Order: hook_embed, hook_pos_embed (learned and sinusoidal positions only); then for each block
 * l: hook_resid_pre, ln1.hook_scale, ln1.hook_normalized, attn.hook_q[h] for every query head,
 * attn.hook_k[g] and attn.hook_v[g] for every key/value head, with RoPE attn.hook_rot_q[h] and
 * attn.hook_rot_k[g], then attn.hook_attn_scores[h], attn.hook_pattern[h], attn.hook_z[h],
 * hook_attn_out, hook_resid_mid, ln2.hook_scale, ln2.hook_normalized, then mlp.hook_pre and
 * mlp.hook_post (dense) or mlp.hook_gate, mlp.hook_expert_indices, mlp.hook_expert_weights (mixture of
 * experts), hook_mlp_out, hook_resid_post; finally ln_final.hook_scale and ln_final.hook_normalized
 * (pre-LN only) and unembed.hook_out. In a post-LN block, where LayerNorm follows each residual sum,
 * ln1.* comes right after hook_attn_out and is the same as hook_resid_mid, and ln2.* comes right after
 * hook_mlp_out and is the same as hook_resid_post.
 */
public final class Trace {

    private final Map<HookKey, DMatrixRMaj> values; // in recording order

    private Trace(Map<HookKey, DMatrixRMaj> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** Runs {@code model} on {@code ids} and records every intermediate. */
    public static Trace record(Transformer model, int[] ids) {
        Recorder recorder = new Recorder();
        model.forward(ids, recorder);
        return recorder.toTrace();
    }

    /**
     * Runs an encoder-decoder {@code model} on a source sentence and the target tokens so far and records every
     * intermediate (see {@link EncoderDecoder} for the order).
     */
    public static Trace record(EncoderDecoder model, int[] source, int[] target) {
        Recorder recorder = new Recorder();
        model.forward(source, target, recorder);
        return recorder.toTrace();
    }

    /** The keys in the order the model emitted them. */
    public List<HookKey> keys() {
        return List.copyOf(values.keySet());
    }

    public boolean contains(HookKey key) {
        return values.containsKey(key);
    }

    /** A copy of the recorded matrix. @throws IllegalArgumentException when the trace has no such key */
    public DMatrixRMaj get(HookKey key) {
        return stored(key).copy();
    }

    /** One recorded value. @throws IllegalArgumentException when the trace has no such key or cell */
    public double get(HookKey key, int row, int col) {
        DMatrixRMaj m = stored(key);
        if (row < 0 || row >= m.numRows || col < 0 || col >= m.numCols) {
            throw new IllegalArgumentException(key + " is [" + m.numRows + ", " + m.numCols + "], no cell (" + row
                    + ", " + col + ")");
        }
        return m.get(row, col);
    }

    /** [rows, cols] of a recorded matrix. */
    public int[] shape(HookKey key) {
        DMatrixRMaj m = stored(key);
        return new int[] {m.numRows, m.numCols};
    }

    public int size() {
        return values.size();
    }

    /** A copy of the logits [T, V]. */
    public DMatrixRMaj logits() {
        return get(HookKey.of(Hook.LOGITS));
    }

    private DMatrixRMaj stored(HookKey key) {
        DMatrixRMaj m = values.get(key);
        if (m == null) {
            throw new IllegalArgumentException("the trace has no " + key);
        }
        return m;
    }

    /** A sink that copies every matrix it receives; {@link #toTrace()} turns what it holds into a Trace. */
    public static final class Recorder implements TraceSink {
        private final List<HookKey> keys = new ArrayList<>();
        private final List<DMatrixRMaj> matrices = new ArrayList<>();

        @Override
        public void accept(HookKey key, DMatrixRMaj value) {
            keys.add(key);
            matrices.add(value.copy());
        }

        /** The recorded trace. @throws IllegalStateException when a key was recorded twice */
        public Trace toTrace() {
            LinkedHashMap<HookKey, DMatrixRMaj> map = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                if (map.put(keys.get(i), matrices.get(i)) != null) {
                    throw new IllegalStateException("hook " + keys.get(i) + " was recorded twice");
                }
            }
            return new Trace(map);
        }
    }
}
