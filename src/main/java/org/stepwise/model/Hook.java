package org.stepwise.model;

/**
 * Every named intermediate of a forward pass. The text form of each name follows TransformerLens
 * ({@code hook_embed}, {@code blocks.0.attn.hook_q}, ..., {@code unembed.hook_out}); {@link HookKey#name()}
 * is the only place a full name is put together. The cross-attention hooks ({@code blocks.{l}.cross_attn.*},
 * {@code ln_cross.*}, {@code hook_cross_attn_out}, {@code hook_resid_cross}) appear only in the decoder blocks
 * of an encoder-decoder model.
 */
public enum Hook {
    EMBED("hook_embed", Scope.MODEL),                          // [T, C] rows of wte
    POS_EMBED("hook_pos_embed", Scope.MODEL),                  // [T, C] learned or sinusoidal positions
    RESID_PRE("hook_resid_pre", Scope.BLOCK),                  // [T, C] residual stream entering the block
    LN1_SCALE("ln1.hook_scale", Scope.BLOCK),                  // [T, 1] √(σ² + ε) per token
    LN1_NORMALIZED("ln1.hook_normalized", Scope.BLOCK),        // [T, C] γ ⊙ (x − μ)/√(σ² + ε) + β
    Q("attn.hook_q", Scope.HEAD),                              // [T, D] per query head
    K("attn.hook_k", Scope.KV_HEAD),                           // [T, D] per key/value head
    V("attn.hook_v", Scope.KV_HEAD),                           // [T, D] per key/value head
    ROT_Q("attn.hook_rot_q", Scope.HEAD),                      // [T, D] q after RoPE (RoPE only)
    ROT_K("attn.hook_rot_k", Scope.KV_HEAD),                   // [T, D] k after RoPE (RoPE only)
    ATTN_SCORES("attn.hook_attn_scores", Scope.HEAD),          // [T, T] q·kᵀ/√D, masked cells −∞
    PATTERN("attn.hook_pattern", Scope.HEAD),                  // [T, T] softmax of the scores
    Z("attn.hook_z", Scope.HEAD),                              // [T, D] pattern · v
    ATTN_OUT("hook_attn_out", Scope.BLOCK),                    // [T, C] concat(z)·W_O + b_O
    RESID_MID("hook_resid_mid", Scope.BLOCK),                  // [T, C] after the attention residual
    LN_CROSS_SCALE("ln_cross.hook_scale", Scope.BLOCK, true),  // [T, 1] LayerNorm of the cross-attention
    LN_CROSS_NORMALIZED("ln_cross.hook_normalized", Scope.BLOCK, true), // [T, C]
    CROSS_Q("cross_attn.hook_q", Scope.HEAD, true),            // [T, D] per query head, from the decoder
    CROSS_K("cross_attn.hook_k", Scope.KV_HEAD, true),         // [S, D] per key/value head, from the encoder output
    CROSS_V("cross_attn.hook_v", Scope.KV_HEAD, true),         // [S, D] per key/value head, from the encoder output
    CROSS_ATTN_SCORES("cross_attn.hook_attn_scores", Scope.HEAD, true), // [T, S] q·kᵀ/√D, nothing masked
    CROSS_PATTERN("cross_attn.hook_pattern", Scope.HEAD, true), // [T, S] softmax of the scores
    CROSS_Z("cross_attn.hook_z", Scope.HEAD, true),            // [T, D] pattern · v
    CROSS_ATTN_OUT("hook_cross_attn_out", Scope.BLOCK, true),  // [T, C] concat(z)·W_O + b_O
    RESID_CROSS("hook_resid_cross", Scope.BLOCK, true),        // [T, C] after the cross-attention residual
    LN2_SCALE("ln2.hook_scale", Scope.BLOCK),                  // [T, 1]
    LN2_NORMALIZED("ln2.hook_normalized", Scope.BLOCK),        // [T, C]
    MLP_PRE("mlp.hook_pre", Scope.BLOCK),                      // [T, F] before the activation (dense FFN)
    MLP_POST("mlp.hook_post", Scope.BLOCK),                    // [T, F] after the activation (dense FFN)
    MOE_GATE("mlp.hook_gate", Scope.BLOCK),                    // [T, E] router logits (mixture of experts)
    EXPERT_INDICES("mlp.hook_expert_indices", Scope.BLOCK),    // [T, k] chosen experts, best first
    EXPERT_WEIGHTS("mlp.hook_expert_weights", Scope.BLOCK),    // [T, k] softmax over the chosen experts' logits
    MLP_OUT("hook_mlp_out", Scope.BLOCK),                      // [T, C]
    RESID_POST("hook_resid_post", Scope.BLOCK),                // [T, C] residual stream leaving the block
    LN_FINAL_SCALE("ln_final.hook_scale", Scope.MODEL),        // [T, 1] (pre-LN only)
    LN_FINAL_NORMALIZED("ln_final.hook_normalized", Scope.MODEL), // [T, C] (pre-LN only)
    LOGITS("unembed.hook_out", Scope.MODEL);                   // [T, V]

    /** Where a hook lives: once per model, once per block, or once per (kv-)head of a block. */
    public enum Scope { MODEL, BLOCK, HEAD, KV_HEAD }

    private final String suffix;
    private final Scope scope;
    private final boolean decoderOnly;

    Hook(String suffix, Scope scope) {
        this(suffix, scope, false);
    }

    Hook(String suffix, Scope scope, boolean decoderOnly) {
        this.suffix = suffix;
        this.scope = scope;
        this.decoderOnly = decoderOnly;
    }

    /** The part of the name after {@code blocks.{l}.}, or the whole name for model-level hooks. */
    public String suffix() {
        return suffix;
    }

    public Scope scope() {
        return scope;
    }

    /** True for the cross-attention hooks, which only a decoder block of an encoder-decoder model has. */
    public boolean decoderOnly() {
        return decoderOnly;
    }
}
