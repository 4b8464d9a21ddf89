package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.MatrixFeatures_DDRM;
import org.junit.jupiter.api.Test;

/** Pooling the key/value heads of every attention layer of an encoder-decoder model. */
class GqaEncoderDecoderConversionTest {

    private static final int HEADS = 4;
    private static final int HEAD_DIM = 4;
    private static final int WIDTH = HEADS * HEAD_DIM;   // C = H·D

    private static EncoderDecoderConfig config() {
        EncoderDecoderConfig original = EncoderDecoderConfig.original(11, 13, 8, 2, 2, HEADS, WIDTH, 24);
        return original.withShared(original.shared().withAttention(HEADS, HEADS));
    }

    /** Makes key (value) head 2k+1 equal to head 2k in {@code matrix}, whose key/value block starts at {@code firstKv}. */
    private static void pairHeads(DMatrixRMaj matrix, int firstKv, int kvHeads) {
        for (int row = 0; row < matrix.numRows; row++) {
            for (int part = 0; part < 2; part++) {
                int start = firstKv + part * kvHeads * HEAD_DIM;
                for (int head = 0; head < kvHeads; head += 2) {
                    for (int d = 0; d < HEAD_DIM; d++) {
                        matrix.set(row, start + (head + 1) * HEAD_DIM + d, matrix.get(row, start + head * HEAD_DIM + d));
                    }
                }
            }
        }
    }

    @Test
    void headsThatAreAlreadyEqualInPairsGiveTheSameTranslationModel() {
        EncoderDecoderConfig config = config();
        Parameters weights = ParameterLayout.of(config).initialize(3);
        for (String name : weights.names()) {
            if (name.endsWith(".c_attn.weight") || name.endsWith(".c_attn.bias")) {
                boolean cross = name.contains("crossattention");
                DMatrixRMaj fused = weights.get(name);
                if (name.endsWith(".bias")) {
                    for (int i = 0; i < fused.getNumElements(); i++) {
                        fused.data[i] = 0.01 * (i % 7) - 0.03;        // non-zero biases, so they are pooled too
                    }
                }
                pairHeads(fused, cross ? 0 : WIDTH, HEADS);
            }
        }
        GqaConversion.EncoderDecoderResult converted = GqaConversion.convert(config, weights, 2);
        assertEquals(2, converted.config().shared().nKvHead());
        assertEquals(16, converted.parameters().get("h.1.crossattention.c_attn.weight").numCols);       // 2·G·D
        assertEquals(WIDTH + 16, converted.parameters().get("encoder.h.0.attn.c_attn.weight").numCols); // H·D + 2·G·D
        int[] source = {1, 5, 7, 2};
        int[] target = {0, 3, 9, 12, 4};
        DMatrixRMaj before = new EncoderDecoder(config, weights).forward(source, target, TraceSink.NONE);   // [T, V]
        DMatrixRMaj after = new EncoderDecoder(converted.config(), converted.parameters())
                .forward(source, target, TraceSink.NONE);                                                   // [T, V]
        for (int i = 0; i < before.getNumElements(); i++) {
            assertEquals(before.data[i], after.data[i], 1e-12);
        }
    }

    @Test
    void crossAttentionKeysThenValuesArePooledSeparately() {
        EncoderDecoderConfig config = config();
        Parameters weights = ParameterLayout.of(config).initialize(5);
        DMatrixRMaj cross = weights.get("h.0.crossattention.c_attn.weight");    // [C, 2·4·D]: keys, then values
        GqaConversion.EncoderDecoderResult converted = GqaConversion.convert(config, weights, 1);
        DMatrixRMaj pooled = converted.parameters().get("h.0.crossattention.c_attn.weight");   // [C, 2·1·D]
        for (int row = 0; row < WIDTH; row++) {
            for (int d = 0; d < HEAD_DIM; d++) {
                double keys = 0;
                double values = 0;
                for (int head = 0; head < HEADS; head++) {
                    keys += cross.get(row, head * HEAD_DIM + d);
                    values += cross.get(row, (HEADS + head) * HEAD_DIM + d);
                }
                assertEquals(keys / HEADS, pooled.get(row, d), 1e-15);
                assertEquals(values / HEADS, pooled.get(row, HEAD_DIM + d), 1e-15);
            }
        }
        assertTrue(MatrixFeatures_DDRM.isIdentical(weights.get("h.0.crossattention.q_attn.weight"),
                converted.parameters().get("h.0.crossattention.q_attn.weight"), 0.0), "queries are copied unchanged");
        assertTrue(converted.parameters().get("h.0.crossattention.q_attn.weight")
                != weights.get("h.0.crossattention.q_attn.weight"), "a copy, not the same matrix");
    }

    @Test
    void aBadNumberOfHeadsIsRefused() {
        EncoderDecoderConfig config = config();
        Parameters weights = ParameterLayout.of(config).initialize(1);
        IllegalArgumentException notADivisor = assertThrows(IllegalArgumentException.class,
                () -> GqaConversion.convert(config, weights, 3));
        assertTrue(notADivisor.getMessage().contains("do not divide"), notADivisor.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GqaConversion.convertFusedKv(new DMatrixRMaj(2, 30), 4, HEAD_DIM, 2, "cross"));
    }
}
