package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Mean-pooling key/value heads: what stays the same, what is averaged, and what is refused. */
class GqaConversionTest {

    private static final int[] SENTENCE = {1, 4, 2, 6, 0, 3};

    @Test
    void convertingToAsManyKvHeadsAsTheModelHasLeavesTheForwardPassIdentical() {
        ModelConfig config = TinyModels.base();
        Parameters weights = TinyModels.perturbed(config, 11);
        GqaConversion.Result same = GqaConversion.convert(config, weights, config.nHead());
        assertEquals(config, same.config());
        assertEquals(0.0, maxDifference(logits(config, weights), logits(same.config(), same.parameters())));
    }

    @Test
    void kvHeadsAlreadyEqualWithinEachGroupGiveTheSameForwardPass() {
        ModelConfig config = TinyModels.base();                     // H = 4
        for (int kvHeads : new int[] {2, 1}) {
            Parameters weights = TinyModels.perturbed(config, 12);
            equalizeGroups(config, weights, kvHeads);
            GqaConversion.Result converted = GqaConversion.convert(config, weights, kvHeads);
            assertEquals(kvHeads, converted.config().nKvHead());
            double difference = maxDifference(logits(config, weights),
                    logits(converted.config(), converted.parameters()));
            assertTrue(difference < 1e-12, "G = " + kvHeads + ": logits differ by " + difference);
        }
    }

    @Test
    void eachNewKeyAndValueHeadIsTheMeanOfItsGroup() {
        ModelConfig config = TinyModels.base();
        Parameters weights = TinyModels.perturbed(config, 13);
        GqaConversion.Result converted = GqaConversion.convert(config, weights, 2);
        int heads = 4;
        int headDim = config.headDim();
        int width = config.dModel();
        for (int layer = 0; layer < config.nLayer(); layer++) {
            for (String suffix : List.of(".weight", ".bias")) {
                DMatrixRMaj before = weights.get("h." + layer + ".attn.c_attn" + suffix);   // [C, C + 2·4·D]
                DMatrixRMaj after = converted.parameters().get("h." + layer + ".attn.c_attn" + suffix); // [C, C + 2·2·D]
                assertEquals(width + 2 * 2 * headDim, after.numCols);
                for (int row = 0; row < before.numRows; row++) {
                    for (int column = 0; column < width; column++) {
                        assertEquals(before.get(row, column), after.get(row, column), 0.0, "query column " + column);
                    }
                    for (int part = 0; part < 2; part++) {
                        for (int group = 0; group < 2; group++) {
                            for (int d = 0; d < headDim; d++) {
                                double first = before.get(row, width + part * heads * headDim + (2 * group) * headDim + d);
                                double second = before.get(row, width + part * heads * headDim + (2 * group + 1) * headDim + d);
                                double pooled = after.get(row, width + part * 2 * headDim + group * headDim + d);
                                assertEquals((first + second) / 2, pooled, 1e-15);
                            }
                        }
                    }
                }
            }
        }
        for (String name : weights.names()) {
            if (!name.contains("c_attn")) {
                assertEquals(0.0, maxDifference(weights.get(name), converted.parameters().get(name)), name);
                assertNotEquals(System.identityHashCode(weights.get(name)),
                        System.identityHashCode(converted.parameters().get(name)), name + " is copied");
            }
        }
        assertNotEquals(0.0, maxDifference(logits(config, weights),
                logits(converted.config(), converted.parameters())), "pooling different heads changes the output");
    }

    @Test
    void sharingTheUnchangedParametersGivesTheSameModelWithoutCopies() {
        ModelConfig config = TinyModels.base();
        Parameters weights = TinyModels.perturbed(config, 17);
        GqaConversion.Result copied = GqaConversion.convert(config, weights, 1);
        GqaConversion.Result shared = GqaConversion.convertSharingUnchanged(config, weights, 1);
        assertEquals(copied.config(), shared.config());
        for (String name : weights.names()) {
            assertEquals(0.0, maxDifference(copied.parameters().get(name), shared.parameters().get(name)), name);
            boolean same = weights.get(name) == shared.parameters().get(name);
            assertEquals(!name.contains("c_attn"), same, name);
        }
    }

    @Test
    void aGqaModelPoolsFurtherDownToOneHead() {
        ModelConfig gqa = TinyModels.base().withAttention(4, 2);
        Parameters weights = TinyModels.perturbed(gqa, 14);
        GqaConversion.Result mqa = GqaConversion.convert(gqa, weights, 1);
        DMatrixRMaj before = weights.get("h.1.attn.c_attn.bias");     // [1, C + 2·2·D]
        DMatrixRMaj after = mqa.parameters().get("h.1.attn.c_attn.bias"); // [1, C + 2·1·D]
        int width = gqa.dModel();
        int headDim = gqa.headDim();
        for (int d = 0; d < headDim; d++) {
            assertEquals((before.get(0, width + d) + before.get(0, width + headDim + d)) / 2, after.get(0, width + d), 1e-15);
            int values = width + 2 * headDim;
            assertEquals((before.get(0, values + d) + before.get(0, values + headDim + d)) / 2,
                    after.get(0, width + headDim + d), 1e-15);
        }
    }

    @Test
    void ropeMixtureOfExpertsTiedUntiedAndBiasFreeModelsAllConvert() {
        ModelConfig base = TinyModels.base();
        List<ModelConfig> configs = List.of(
                base.withVariants(ModelConfig.Activation.GELU_TANH, ModelConfig.Positional.ROPE,
                        ModelConfig.Norm.PRE_LN, true, true),
                base.withExperts(3, 2),
                base.withVariants(ModelConfig.Activation.RELU, ModelConfig.Positional.LEARNED,
                        ModelConfig.Norm.POST_LN, false, true),
                base.withVariants(ModelConfig.Activation.GELU_ERF, ModelConfig.Positional.SINUSOIDAL,
                        ModelConfig.Norm.PRE_LN, false, false));
        for (ModelConfig config : configs) {
            Parameters weights = TinyModels.perturbed(config, 15);
            equalizeGroups(config, weights, 1);
            GqaConversion.Result converted = GqaConversion.convert(config, weights, 1);
            assertEquals(1, converted.config().nKvHead());
            ParameterLayout.of(converted.config()).check(converted.parameters());
            double difference = maxDifference(logits(config, weights),
                    logits(converted.config(), converted.parameters()));
            assertTrue(difference < 1e-12, config + ": logits differ by " + difference);
        }
    }

    @Test
    void badNumbersOfKvHeadsAreRefusedWithAReason() {
        ModelConfig config = TinyModels.base();
        Parameters weights = TinyModels.perturbed(config, 16);
        assertMessage("must be at least 1, got 0", () -> GqaConversion.convert(config, weights, 0));
        assertMessage("must be at least 1, got -2", () -> GqaConversion.convert(config, weights, -2));
        assertMessage("the model has 4", () -> GqaConversion.convert(config, weights, 8));
        assertMessage("3 key/value heads do not divide the model's 4: choose one of [4, 2, 1]",
                () -> GqaConversion.convert(config, weights, 3));
        ModelConfig gqa = config.withAttention(4, 2);
        assertMessage("the model has 2", () -> GqaConversion.convert(gqa, TinyModels.perturbed(gqa, 1), 4));
        assertMessage("expected", () -> GqaConversion.convert(gqa, weights, 1));   // weights of the MHA model
        assertMessage("needs 16", () -> GqaConversion.convertFusedQkv(new DMatrixRMaj(8, 20), 4, 2, 2, 1, "c_attn"));
    }

    @Test
    void theSameLayerFunctionConvertsAttentionLayersUnderAnyName() {
        Parameters encoderDecoder = new Parameters();
        DMatrixRMaj encoderQkv = encoderDecoder.addMatrix("encoder.h.0.attn.c_attn.weight", 3, 4 + 2 * 4); // [3, H·D + 2·H·D], H=2, D=2
        DMatrixRMaj other = encoderDecoder.addVector("encoder.ln.weight", 3);
        for (int i = 0; i < encoderQkv.getNumElements(); i++) {
            encoderQkv.data[i] = i;
        }
        other.set(0, 1, 5.0);
        Parameters converted = GqaConversion.convertAttentionLayers(encoderDecoder,
                List.of("encoder.h.0.attn.c_attn"), 2, 2, 2, 1, true);
        DMatrixRMaj pooled = converted.get("encoder.h.0.attn.c_attn.weight");
        assertEquals(3, pooled.numRows);
        assertEquals(4 + 2 * 2, pooled.numCols);
        // row 0 of the original: q = 0..3, k heads (4,5) and (6,7), v heads (8,9) and (10,11)
        assertEquals(List.of(0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 9.0, 10.0), row(pooled, 0));
        assertTrue(converted.isVector("encoder.ln.weight"));
        assertEquals(5.0, converted.get("encoder.ln.weight").get(0, 1));
        assertMessage("no parameter named decoder.h.0.attn.c_attn.weight", () -> GqaConversion.convertAttentionLayers(
                encoderDecoder, List.of("decoder.h.0.attn.c_attn"), 2, 2, 2, 1, true));
    }

    @Test
    void theKvCacheShrinksWithTheNumberOfKvHeads() {
        ModelConfig config = ModelConfig.gpt2Like(384, 64, 2, 4, 64);      // L=2, H=4, D=16
        KvCacheSize mha = KvCacheSize.of(config, KvCacheSize.FLOAT32_BYTES);
        KvCacheSize mqa = KvCacheSize.of(config.withAttention(4, 1), KvCacheSize.FLOAT32_BYTES);
        assertEquals(2L * 2 * 4 * 16 * 4, mha.bytesPerToken());           // 1024 bytes
        assertEquals(2L * 2 * 1 * 16 * 4, mqa.bytesPerToken());           // 256 bytes
        assertEquals(1024L * 64, mha.bytesFor(config.contextLength()));
        assertEquals(List.of(4, 2, 1), GqaConversion.divisors(4));
        assertEquals(List.of(12, 6, 4, 3, 2, 1), GqaConversion.divisors(12));
        assertMessage("cannot be negative", () -> mha.bytesFor(-1));
        assertMessage("at least 1", () -> new KvCacheSize(2, 0, 16, 4));
    }

    /** Sets, in every block, each key (value) head to the first key (value) head of its group of H/G. */
    private static void equalizeGroups(ModelConfig config, Parameters weights, int kvHeads) {
        int heads = config.nHead();
        int headDim = config.headDim();
        int groupSize = heads / kvHeads;
        for (int layer = 0; layer < config.nLayer(); layer++) {
            for (String suffix : config.bias() ? List.of(".weight", ".bias") : List.of(".weight")) {
                DMatrixRMaj fused = weights.get("h." + layer + ".attn.c_attn" + suffix);   // [C, C + 2·H·D]
                for (int row = 0; row < fused.numRows; row++) {
                    for (int part = 0; part < 2; part++) {
                        int partStart = config.dModel() + part * heads * headDim;
                        for (int head = 0; head < heads; head++) {
                            int leader = (head / groupSize) * groupSize;
                            for (int d = 0; d < headDim; d++) {
                                fused.set(row, partStart + head * headDim + d,
                                        fused.get(row, partStart + leader * headDim + d));
                            }
                        }
                    }
                }
            }
        }
    }

    private static DMatrixRMaj logits(ModelConfig config, Parameters weights) {
        return new Transformer(config, weights).forward(SENTENCE, TraceSink.NONE);      // [T, V]
    }

    private static double maxDifference(DMatrixRMaj a, DMatrixRMaj b) {
        assertEquals(a.numRows, b.numRows);
        assertEquals(a.numCols, b.numCols);
        double most = 0;
        for (int i = 0; i < a.getNumElements(); i++) {
            most = Math.max(most, Math.abs(a.data[i] - b.data[i]));
        }
        return most;
    }

    private static List<Double> row(DMatrixRMaj matrix, int row) {
        List<Double> out = new java.util.ArrayList<>();
        for (int column = 0; column < matrix.numCols; column++) {
            out.add(matrix.get(row, column));
        }
        return out;
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(thrown.getMessage().contains(expected), "message: " + thrown.getMessage());
    }
}
