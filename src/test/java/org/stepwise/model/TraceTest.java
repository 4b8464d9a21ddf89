package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Pins the ordered hook names of a trace, the shapes of its matrices, and that the trace is a copy. */
class TraceTest {

    private static List<String> names(ModelConfig config) {
        Transformer model = new Transformer(config, TinyModels.perturbed(config, 1));
        return Trace.record(model, new int[] {1, 4, 2}).keys().stream().map(HookKey::name).toList();
    }

    @Test
    void preLnDenseLearnedPositionsTwoBlocksTwoHeadsOneKvHead() {
        ModelConfig config = TinyModels.base().withAttention(2, 1);
        assertEquals(List.of(
                "hook_embed",
                "hook_pos_embed",
                "blocks.0.hook_resid_pre",
                "blocks.0.ln1.hook_scale",
                "blocks.0.ln1.hook_normalized",
                "blocks.0.attn.hook_q[0]",
                "blocks.0.attn.hook_q[1]",
                "blocks.0.attn.hook_k[0]",
                "blocks.0.attn.hook_v[0]",
                "blocks.0.attn.hook_attn_scores[0]",
                "blocks.0.attn.hook_attn_scores[1]",
                "blocks.0.attn.hook_pattern[0]",
                "blocks.0.attn.hook_pattern[1]",
                "blocks.0.attn.hook_z[0]",
                "blocks.0.attn.hook_z[1]",
                "blocks.0.hook_attn_out",
                "blocks.0.hook_resid_mid",
                "blocks.0.ln2.hook_scale",
                "blocks.0.ln2.hook_normalized",
                "blocks.0.mlp.hook_pre",
                "blocks.0.mlp.hook_post",
                "blocks.0.hook_mlp_out",
                "blocks.0.hook_resid_post",
                "blocks.1.hook_resid_pre",
                "blocks.1.ln1.hook_scale",
                "blocks.1.ln1.hook_normalized",
                "blocks.1.attn.hook_q[0]",
                "blocks.1.attn.hook_q[1]",
                "blocks.1.attn.hook_k[0]",
                "blocks.1.attn.hook_v[0]",
                "blocks.1.attn.hook_attn_scores[0]",
                "blocks.1.attn.hook_attn_scores[1]",
                "blocks.1.attn.hook_pattern[0]",
                "blocks.1.attn.hook_pattern[1]",
                "blocks.1.attn.hook_z[0]",
                "blocks.1.attn.hook_z[1]",
                "blocks.1.hook_attn_out",
                "blocks.1.hook_resid_mid",
                "blocks.1.ln2.hook_scale",
                "blocks.1.ln2.hook_normalized",
                "blocks.1.mlp.hook_pre",
                "blocks.1.mlp.hook_post",
                "blocks.1.hook_mlp_out",
                "blocks.1.hook_resid_post",
                "ln_final.hook_scale",
                "ln_final.hook_normalized",
                "unembed.hook_out"), names(config));
    }

    @Test
    void ropeAndMixtureOfExpertsOneBlock() {
        ModelConfig base = TinyModels.base();
        ModelConfig config = new ModelConfig(7, 6, 1, 2, 2, 8, 12, ModelConfig.Activation.GELU_ERF,
                ModelConfig.Positional.ROPE, ModelConfig.Norm.PRE_LN, false, true, 3, 2, base.layerNormEps(), 10000.0);
        assertEquals(List.of(
                "hook_embed",
                "blocks.0.hook_resid_pre",
                "blocks.0.ln1.hook_scale",
                "blocks.0.ln1.hook_normalized",
                "blocks.0.attn.hook_q[0]",
                "blocks.0.attn.hook_q[1]",
                "blocks.0.attn.hook_k[0]",
                "blocks.0.attn.hook_k[1]",
                "blocks.0.attn.hook_v[0]",
                "blocks.0.attn.hook_v[1]",
                "blocks.0.attn.hook_rot_q[0]",
                "blocks.0.attn.hook_rot_q[1]",
                "blocks.0.attn.hook_rot_k[0]",
                "blocks.0.attn.hook_rot_k[1]",
                "blocks.0.attn.hook_attn_scores[0]",
                "blocks.0.attn.hook_attn_scores[1]",
                "blocks.0.attn.hook_pattern[0]",
                "blocks.0.attn.hook_pattern[1]",
                "blocks.0.attn.hook_z[0]",
                "blocks.0.attn.hook_z[1]",
                "blocks.0.hook_attn_out",
                "blocks.0.hook_resid_mid",
                "blocks.0.ln2.hook_scale",
                "blocks.0.ln2.hook_normalized",
                "blocks.0.mlp.hook_gate",
                "blocks.0.mlp.hook_expert_indices",
                "blocks.0.mlp.hook_expert_weights",
                "blocks.0.hook_mlp_out",
                "blocks.0.hook_resid_post",
                "ln_final.hook_scale",
                "ln_final.hook_normalized",
                "unembed.hook_out"), names(config));
    }

    @Test
    void postLnEmitsEachLayerNormAfterItsResidualSum() {
        ModelConfig base = TinyModels.base();
        ModelConfig config = base.withAttention(1, 1).withVariants(ModelConfig.Activation.RELU,
                ModelConfig.Positional.SINUSOIDAL, ModelConfig.Norm.POST_LN, true, false);
        ModelConfig oneBlock = new ModelConfig(7, 6, 1, 1, 1, 8, 12, config.activation(), config.positional(),
                config.norm(), true, false, 0, 0, base.layerNormEps(), 10000.0);
        assertEquals(List.of(
                "hook_embed",
                "hook_pos_embed",
                "blocks.0.hook_resid_pre",
                "blocks.0.attn.hook_q[0]",
                "blocks.0.attn.hook_k[0]",
                "blocks.0.attn.hook_v[0]",
                "blocks.0.attn.hook_attn_scores[0]",
                "blocks.0.attn.hook_pattern[0]",
                "blocks.0.attn.hook_z[0]",
                "blocks.0.hook_attn_out",
                "blocks.0.ln1.hook_scale",
                "blocks.0.ln1.hook_normalized",
                "blocks.0.hook_resid_mid",
                "blocks.0.mlp.hook_pre",
                "blocks.0.mlp.hook_post",
                "blocks.0.hook_mlp_out",
                "blocks.0.ln2.hook_scale",
                "blocks.0.ln2.hook_normalized",
                "blocks.0.hook_resid_post",
                "unembed.hook_out"), names(oneBlock));

        Trace trace = Trace.record(new Transformer(config, TinyModels.perturbed(config, 2)), new int[] {3, 1, 6, 0});
        for (int l = 0; l < config.nLayer(); l++) {
            assertArrayEquals(trace.get(HookKey.of(Hook.RESID_MID, l)).data,
                    trace.get(HookKey.of(Hook.LN1_NORMALIZED, l)).data, "post-LN: resid_mid is ln1's output");
            assertArrayEquals(trace.get(HookKey.of(Hook.RESID_POST, l)).data,
                    trace.get(HookKey.of(Hook.LN2_NORMALIZED, l)).data, "post-LN: resid_post is ln2's output");
        }
    }

    @Test
    void shapesFollowTheHookTable() {
        ModelConfig config = TinyModels.base().withAttention(4, 2).withExperts(3, 2)
                .withVariants(ModelConfig.Activation.GELU_TANH, ModelConfig.Positional.ROPE, ModelConfig.Norm.PRE_LN,
                        true, true);
        Trace trace = Trace.record(new Transformer(config, TinyModels.perturbed(config, 3)), new int[] {1, 2, 3, 4, 5});
        assertArrayEquals(new int[] {5, 8}, trace.shape(HookKey.of(Hook.EMBED)));
        assertArrayEquals(new int[] {5, 1}, trace.shape(HookKey.of(Hook.LN1_SCALE, 1)));
        assertArrayEquals(new int[] {5, 2}, trace.shape(HookKey.of(Hook.Q, 0, 3)));
        assertArrayEquals(new int[] {5, 2}, trace.shape(HookKey.of(Hook.ROT_K, 0, 1)));
        assertArrayEquals(new int[] {5, 5}, trace.shape(HookKey.of(Hook.PATTERN, 1, 2)));
        assertArrayEquals(new int[] {5, 3}, trace.shape(HookKey.of(Hook.MOE_GATE, 0)));
        assertArrayEquals(new int[] {5, 2}, trace.shape(HookKey.of(Hook.EXPERT_INDICES, 0)));
        assertArrayEquals(new int[] {5, 2}, trace.shape(HookKey.of(Hook.EXPERT_WEIGHTS, 1)));
        assertArrayEquals(new int[] {5, 7}, trace.shape(HookKey.of(Hook.LOGITS)));
        assertEquals(false, trace.contains(HookKey.of(Hook.POS_EMBED)));
    }

    @Test
    void theTraceHoldsCopiesAndMatchesAPlainForwardPass() {
        ModelConfig config = TinyModels.base();
        Transformer model = new Transformer(config, TinyModels.perturbed(config, 4));
        int[] ids = {0, 6, 6, 2};
        Trace trace = Trace.record(model, ids);
        DMatrixRMaj logits = model.forward(ids, TraceSink.NONE);
        assertArrayEquals(logits.data, trace.logits().data);
        DMatrixRMaj copy = trace.get(HookKey.of(Hook.RESID_PRE, 0));
        copy.set(0, 0, 1e9);
        model.forward(new int[] {1, 1, 1, 1, 1, 1}, TraceSink.NONE);
        assertEquals(trace.get(HookKey.of(Hook.EMBED), 0, 0) + trace.get(HookKey.of(Hook.POS_EMBED), 0, 0),
                trace.get(HookKey.of(Hook.RESID_PRE, 0), 0, 0), 0.0);
        assertThrows(IllegalArgumentException.class, () -> trace.get(HookKey.of(Hook.ROT_Q, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> trace.get(HookKey.of(Hook.LOGITS), 4, 0));
    }
}
