package org.stepwise.model;

/**
 * One named intermediate of a forward pass: which hook, in which block and which head.
 * {@code layer} is −1 for model-level hooks, {@code head} is −1 unless the hook is per head.
 */
public record HookKey(Hook hook, int layer, int head) {

    public HookKey {
        boolean inBlock = hook.scope() != Hook.Scope.MODEL;
        boolean perHead = hook.scope() == Hook.Scope.HEAD || hook.scope() == Hook.Scope.KV_HEAD;
        if (inBlock != (layer >= 0) || perHead != (head >= 0)) {
            throw new IllegalArgumentException("hook " + hook + " does not take layer " + layer + " and head " + head);
        }
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

    /** TransformerLens-style text: {@code hook_embed}, {@code blocks.1.hook_resid_post}, {@code blocks.0.attn.hook_q[2]}. */
    public String name() {
        String base = layer < 0 ? hook.suffix() : "blocks." + layer + "." + hook.suffix();
        return head < 0 ? base : base + "[" + head + "]";
    }

    @Override
    public String toString() {
        return name();
    }
}
