package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** The encoder-decoder's trace names and order, its masks, stacking and input checks. */
class EncoderDecoderTest {

    /** U = 9, V = 7, one block each side, H = 2 query heads sharing G = 1 key/value head. */
    private static EncoderDecoderConfig small(ModelConfig.Norm norm) {
        return new EncoderDecoderConfig(new ModelConfig(7, 6, 1, 2, 1, 8, 6, ModelConfig.Activation.GELU_TANH,
                ModelConfig.Positional.LEARNED, norm, true, true, 0, 0, 1e-5, 10000.0), 9, 1);
    }

    private static EncoderDecoder model(EncoderDecoderConfig config) {
        return new EncoderDecoder(config, EncoderDecoderGradientTest.perturbed(config, 3));
    }

    @Test
    void traceNamesComeInTheOrderTheyAreComputed() {
        Trace trace = Trace.record(model(small(ModelConfig.Norm.PRE_LN)), new int[] {1, 2, 3}, new int[] {0, 4});
        List<String> expected = new ArrayList<>();
        for (String side : new String[] {"encoder.", ""}) {
            expected.add(side + "hook_embed");
            expected.add(side + "hook_pos_embed");
            String b = side + "blocks.0.";
            expected.addAll(List.of(b + "hook_resid_pre", b + "ln1.hook_scale", b + "ln1.hook_normalized",
                    b + "attn.hook_q[0]", b + "attn.hook_q[1]", b + "attn.hook_k[0]", b + "attn.hook_v[0]",
                    b + "attn.hook_attn_scores[0]", b + "attn.hook_attn_scores[1]",
                    b + "attn.hook_pattern[0]", b + "attn.hook_pattern[1]", b + "attn.hook_z[0]", b + "attn.hook_z[1]",
                    b + "hook_attn_out", b + "hook_resid_mid"));
            if (side.isEmpty()) {
                expected.addAll(List.of(b + "ln_cross.hook_scale", b + "ln_cross.hook_normalized",
                        b + "cross_attn.hook_q[0]", b + "cross_attn.hook_q[1]", b + "cross_attn.hook_k[0]",
                        b + "cross_attn.hook_v[0]", b + "cross_attn.hook_attn_scores[0]",
                        b + "cross_attn.hook_attn_scores[1]", b + "cross_attn.hook_pattern[0]",
                        b + "cross_attn.hook_pattern[1]", b + "cross_attn.hook_z[0]", b + "cross_attn.hook_z[1]",
                        b + "hook_cross_attn_out", b + "hook_resid_cross"));
            }
            expected.addAll(List.of(b + "ln2.hook_scale", b + "ln2.hook_normalized", b + "mlp.hook_pre",
                    b + "mlp.hook_post", b + "hook_mlp_out", b + "hook_resid_post",
                    side + "ln_final.hook_scale", side + "ln_final.hook_normalized"));
        }
        expected.add("unembed.hook_out");
        assertEquals(expected, trace.keys().stream().map(HookKey::name).toList());
    }

    @Test
    void postLnPutsTheCrossNormAfterTheCrossSumAndHasNoFinalNorm() {
        Trace trace = Trace.record(model(small(ModelConfig.Norm.POST_LN)), new int[] {1, 2, 3}, new int[] {0, 4});
        List<String> names = trace.keys().stream().map(HookKey::name).toList();
        int crossOut = names.indexOf("blocks.0.hook_cross_attn_out");
        assertEquals("blocks.0.ln_cross.hook_scale", names.get(crossOut + 1));
        assertEquals("blocks.0.hook_resid_cross", names.get(crossOut + 3));
        assertTrue(names.stream().noneMatch(name -> name.contains("ln_final")), names.toString());
        DMatrixRMaj normalized = trace.get(new HookKey(Hook.LN_CROSS_NORMALIZED, 0, -1));
        DMatrixRMaj resid = trace.get(new HookKey(Hook.RESID_CROSS, 0, -1));
        assertArrayEquals(normalized.data, resid.data, 0.0);
    }

    @Test
    void crossAttentionPatternIsTargetBySourceAndSeesEverySourceToken() {
        Trace trace = Trace.record(model(small(ModelConfig.Norm.PRE_LN)), new int[] {1, 2, 3, 4}, new int[] {0, 4});
        DMatrixRMaj pattern = trace.get(HookKey.of(Hook.CROSS_PATTERN, 0, 1));
        assertEquals(2, pattern.numRows);
        assertEquals(4, pattern.numCols);
        for (int t = 0; t < 2; t++) {
            double sum = 0;
            for (int s = 0; s < 4; s++) {
                assertTrue(pattern.get(t, s) > 0, "cross-attention masks nothing");
                sum += pattern.get(t, s);
            }
            assertEquals(1.0, sum, 1e-12);
        }
        DMatrixRMaj encoderPattern = trace.get(HookKey.of(Hook.PATTERN, 0, 0).inEncoder());
        assertTrue(encoderPattern.get(0, 3) > 0, "the encoder's first token sees the last");
        DMatrixRMaj decoderPattern = trace.get(HookKey.of(Hook.PATTERN, 0, 0));
        assertEquals(0.0, decoderPattern.get(0, 1), "the decoder's first token does not see the second");
        // keys and values come from the encoder's final LayerNorm output
        DMatrixRMaj memory = trace.get(HookKey.of(Hook.LN_FINAL_NORMALIZED).inEncoder());
        assertEquals(4, memory.numRows);
        assertEquals(4, trace.get(HookKey.of(Hook.CROSS_K, 0, 0)).numRows);
    }

    @Test
    void theDecoderIsCausalAndEveryTargetPositionReadsTheWholeSource() {
        EncoderDecoder model = model(small(ModelConfig.Norm.POST_LN));
        DMatrixRMaj base = model.forward(new int[] {1, 2, 3}, new int[] {0, 4, 5}, TraceSink.NONE);
        DMatrixRMaj laterTargetChanged = model.forward(new int[] {1, 2, 3}, new int[] {0, 4, 6}, TraceSink.NONE);
        DMatrixRMaj lastSourceChanged = model.forward(new int[] {1, 2, 8}, new int[] {0, 4, 5}, TraceSink.NONE);
        for (int v = 0; v < 7; v++) {
            assertEquals(base.get(0, v), laterTargetChanged.get(0, v), 0.0);
            assertEquals(base.get(1, v), laterTargetChanged.get(1, v), 0.0);
        }
        assertNotEquals(base.get(0, 0), lastSourceChanged.get(0, 0));
        assertNotEquals(base.get(2, 0), laterTargetChanged.get(2, 0));
    }

    @Test
    void aBatchLossIsTheMeanOverAllTargetPositionsOfItsPairs() {
        EncoderDecoder model = model(small(ModelConfig.Norm.PRE_LN));
        int[][] sources = {{1, 2, 3}, {4, 5}, {6, 7, 8, 1, 2}};
        int[][] inputs = {{0, 1}, {0, 2, 3, 4}, {0}};
        int[][] outputs = {{1, 6}, {2, 3, 4, 6}, {5}};
        double weighted = 0;
        for (int i = 0; i < sources.length; i++) {
            weighted += inputs[i].length * model.loss(new int[][] {sources[i]}, new int[][] {inputs[i]},
                    new int[][] {outputs[i]});
        }
        assertEquals(weighted / 7, model.loss(sources, inputs, outputs), 1e-12);
        Parameters grads = model.parameters().zerosLike();
        assertEquals(weighted / 7, model.lossAndGradients(sources, inputs, outputs, grads), 1e-12);
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        EncoderDecoder model = model(small(ModelConfig.Norm.PRE_LN));
        IllegalArgumentException sourceId = assertThrows(IllegalArgumentException.class,
                () -> model.forward(new int[] {9}, new int[] {0}, TraceSink.NONE));
        assertTrue(sourceId.getMessage().contains("source[0] = 9"), sourceId.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> model.forward(new int[] {1}, new int[7], TraceSink.NONE));
        assertTrue(tooLong.getMessage().contains("contextLength = 6"), tooLong.getMessage());
        IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
                () -> model.loss(new int[][] {{1}}, new int[][] {{0, 1}}, new int[][] {{1}}));
        assertTrue(lengths.getMessage().contains("targetOutputs[0] has length 1"), lengths.getMessage());
        IllegalArgumentException moe = assertThrows(IllegalArgumentException.class,
                () -> new EncoderDecoderConfig(ModelConfig.gpt2Like(7, 6, 1, 2, 8).withExperts(3, 2), 9, 1));
        assertTrue(moe.getMessage().contains("nExperts must be 0"), moe.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new EncoderDecoder(small(ModelConfig.Norm.PRE_LN), ParameterLayout.of(
                        small(ModelConfig.Norm.POST_LN)).zeros()));
        assertTrue(missing.getMessage().contains("ln_f"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HookKey(Hook.CROSS_Q, 0, 0, true));
    }
}
