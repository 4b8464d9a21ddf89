package org.stepwise.model;

/**
 * One named intermediate of a forward pass: which hook, in which block and which head, and whether it
 * belongs to the encoder of an encoder-decoder model. {@code layer} is −1 for model-level hooks,
 * {@code head} is −1 unless the hook is per head; {@code encoder} is false for every hook of a
 * decoder-only model and for the decoder side of an encoder-decoder model.
 */
public record HookKey(Hook hook, int layer, int head, boolean encoder) {

    public HookKey {
        boolean inBlock = hook.scope() != Hook.Scope.MODEL;
        boolean perHead = hook.scope() == Hook.Scope.HEAD || hook.scope() == Hook.Scope.KV_HEAD;
        if (inBlock != (layer >= 0) || perHead != (head >= 0)) {
            throw new IllegalArgumentException("hook " + hook + " does not take layer " + layer + " and head " + head);
        }
        if (encoder && hook.decoderOnly()) {
            throw new IllegalArgumentException("hook " + hook + " has no encoder counterpart");
        }
    }

    /** A hook of a decoder-only model, or of the decoder side of an encoder-decoder model. */
    public HookKey(Hook hook, int layer, int head) {
        this(hook, layer, head, false);
    }

    public static HookKey of(Hook hook) {
        return new HookKey(hook, -1, -1);
    }

    public static HookKey of(Hook hook, int layer) {
        return new HookKey(hook, layer, -1);
    }

    public static HookKey of(Hook hook, int layer, int head) {
        return new HookKey(hook, layer, head);
    }

    /** The same hook on the encoder side: {@code encoder.blocks.0.attn.hook_q[1]}. */
    public HookKey inEncoder() {
        return new HookKey(hook, layer, head, true);
    }

    /**
     * TransformerLens-style text: {@code hook_embed}, {@code blocks.1.hook_resid_post}, {@code blocks.0.attn.hook_q[2]},
     * with {@code encoder.} in front for the encoder side.
     */
    public String name() {
        String base = layer < 0 ? hook.suffix() : "blocks." + layer + "." + hook.suffix();
        String side = encoder ? "encoder." + base : base;
        return head < 0 ? side : side + "[" + head + "]";
    }

    @Override
    public String toString() {
        return name();
    }
}
