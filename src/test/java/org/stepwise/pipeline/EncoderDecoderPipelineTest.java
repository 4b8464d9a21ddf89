package org.stepwise.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.pipeline.Stage.Kind;
import org.stepwise.pipeline.StageTensor.Axis;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.CharTokenizer;

/** The stages, stage views, values and explanations of an encoder-decoder model, on real forward passes. */
class EncoderDecoderPipelineTest {

    private static final int[] SOURCE = {1, 5, 2, 8};
    private static final int[] TARGET = {0, 3, 6};

    /** U = 9, V = 7, two encoder and one decoder block, H = 2 query heads sharing G = 1 key/value head. */
    private static EncoderDecoderConfig small(ModelConfig.Norm norm) {
        return new EncoderDecoderConfig(new ModelConfig(7, 6, 1, 2, 1, 8, 12, ModelConfig.Activation.GELU_TANH,
                ModelConfig.Positional.SINUSOIDAL, norm, true, true, 0, 0, 1e-5, 10000.0), 9, 2);
    }

    private static EncoderDecoderPipeline.Side[] run(EncoderDecoderConfig config) {
        EncoderDecoder model = new EncoderDecoder(config, ParameterLayout.of(config).initialize(11));
        return EncoderDecoderPipeline.record(model, SOURCE, TARGET, CharTokenizer.train("abcdefgh"));
    }

    private static EncoderDecoderPipeline.Side sideOf(EncoderDecoderPipeline.Side[] sides, Stage stage) {
        return stage.encoder() ? sides[0] : sides[1];
    }

    @Test
    void preLnStagesRunThroughTheEncoderThenTheDecoderWithCrossAttentionBeforeTheFfn() {
        List<Stage> stages = EncoderDecoderPipeline.stages(small(ModelConfig.Norm.PRE_LN));
        assertEquals(List.of(Stage.ofEncoder(Kind.TEXT), Stage.ofEncoder(Kind.TOKENS), Stage.ofEncoder(Kind.TOKEN_EMBEDDING),
                Stage.ofEncoder(Kind.POSITION), Stage.ofEncoder(Kind.LAYER_NORM_1, 0), Stage.ofEncoder(Kind.QKV, 0),
                Stage.ofEncoder(Kind.SCORES, 0), Stage.ofEncoder(Kind.ATTENTION_SOFTMAX, 0)), stages.subList(0, 8));
        assertTrue(stages.stream().noneMatch(stage -> stage.encoder() && stage.kind() == Kind.CAUSAL_MASK),
                "the encoder masks nothing");
        int encoderEnd = stages.indexOf(Stage.ofEncoder(Kind.FINAL_LAYER_NORM));
        assertEquals(Stage.of(Kind.TEXT), stages.get(encoderEnd + 1));
        int residual = stages.indexOf(Stage.of(Kind.ATTENTION_RESIDUAL, 0));
        assertEquals(List.of(Stage.of(Kind.CROSS_LAYER_NORM, 0), Stage.of(Kind.CROSS_QKV, 0), Stage.of(Kind.CROSS_SCORES, 0),
                Stage.of(Kind.CROSS_SOFTMAX, 0), Stage.of(Kind.CROSS_WEIGHTED_SUM, 0), Stage.of(Kind.CROSS_CONCAT_PROJECT, 0),
                Stage.of(Kind.CROSS_RESIDUAL, 0), Stage.of(Kind.LAYER_NORM_2, 0), Stage.of(Kind.FFN_UP, 0)),
                stages.subList(residual + 1, residual + 10));
        assertEquals(List.of(Stage.of(Kind.FINAL_LAYER_NORM), Stage.of(Kind.LOGITS), Stage.of(Kind.OUTPUT_SOFTMAX),
                Stage.of(Kind.NEXT_TOKEN)), stages.subList(stages.size() - 4, stages.size()));
        assertEquals(2, stages.stream().filter(stage -> stage.encoder() && stage.kind() == Kind.QKV).count());
    }

    @Test
    void postLnStagesPutEachLayerNormAfterItsResidualSum() {
        List<Stage> stages = EncoderDecoderPipeline.stages(small(ModelConfig.Norm.POST_LN));
        int residual = stages.indexOf(Stage.of(Kind.ATTENTION_RESIDUAL, 0));
        assertEquals(List.of(Stage.of(Kind.LAYER_NORM_1, 0), Stage.of(Kind.CROSS_QKV, 0), Stage.of(Kind.CROSS_SCORES, 0),
                Stage.of(Kind.CROSS_SOFTMAX, 0), Stage.of(Kind.CROSS_WEIGHTED_SUM, 0), Stage.of(Kind.CROSS_CONCAT_PROJECT, 0),
                Stage.of(Kind.CROSS_RESIDUAL, 0), Stage.of(Kind.CROSS_LAYER_NORM, 0), Stage.of(Kind.FFN_UP, 0)),
                stages.subList(residual + 1, residual + 10));
        assertFalse(stages.contains(Stage.ofEncoder(Kind.FINAL_LAYER_NORM)));
        assertFalse(stages.contains(Stage.of(Kind.FINAL_LAYER_NORM)));
        assertThrows(IllegalArgumentException.class, () -> Stage.ofEncoder(Kind.CROSS_QKV, 0));
        assertThrows(IllegalArgumentException.class, () -> Stage.ofEncoder(Kind.LOGITS));
    }

    @Test
    void everyTensorOfEveryStageHasTheShapeItsViewSaysAndEveryCellIsExplainedWithItsOwnValue() {
        for (ModelConfig.Norm norm : ModelConfig.Norm.values()) {
            EncoderDecoderConfig config = small(norm);
            EncoderDecoderPipeline.Side[] sides = run(config);
            for (Stage stage : EncoderDecoderPipeline.stages(config)) {
                for (int head = 0; head < config.shared().nHead(); head++) {
                    StageView view = EncoderDecoderPipeline.view(config, stage, head, SOURCE.length, TARGET.length,
                            SamplingSettings.PLAIN);
                    EncoderDecoderPipeline.Side side = sideOf(sides, stage);
                    for (StageTensor tensor : view.tensors()) {
                        String where = norm + " " + stage + " head " + head + " " + tensor.letter();
                        DMatrixRMaj values = TensorValues.of(tensor.ref(), side.run(), side.parameters(), side.config());
                        assertEquals(tensor.rows(), values.numRows, where);
                        assertEquals(tensor.columns(), values.numCols, where);
                        int expectedRows = switch (tensor.rowAxis()) {
                            case TOKENS -> stage.encoder() ? SOURCE.length : TARGET.length;
                            case SOURCE_TOKENS -> SOURCE.length;
                            default -> tensor.rows();
                        };
                        assertEquals(expectedRows, tensor.rows(), where);
                        if (tensor.ref() instanceof TensorRef.Hooked hooked && hooked.key().encoder()) {
                            assertEquals(Axis.SOURCE_TOKENS, tensor.rowAxis(), where);
                            continue;                      // the encoder's output, explained on the encoder's stages
                        }
                        int row = values.numRows - 1;
                        int column = values.numCols / 2;
                        CellExplanation explained = Explainer.explain(side.run(), side.parameters(), side.config(),
                                tensor.ref(), row, column);
                        double expected = values.get(row, column);
                        if (Double.isInfinite(expected)) {
                            assertEquals(expected, explained.result(), where);
                        } else {
                            assertEquals(expected, explained.result(), 1e-9 * Math.max(1, Math.abs(expected)), where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void crossAttentionIsTargetBySourceAndEqualsTheTrace() {
        EncoderDecoderConfig config = small(ModelConfig.Norm.PRE_LN);
        EncoderDecoderPipeline.Side decoder = run(config)[1];
        StageView softmax = EncoderDecoderPipeline.view(config, Stage.of(Kind.CROSS_SOFTMAX, 0), 1, SOURCE.length,
                TARGET.length, SamplingSettings.PLAIN);
        StageTensor pattern = softmax.tensor(StageTensor.Role.OUTPUT, "A");
        assertEquals(Axis.TOKENS, pattern.rowAxis());
        assertEquals(Axis.SOURCE_TOKENS, pattern.columnAxis());
        DMatrixRMaj shown = softmax.values(pattern, decoder.run(), decoder.parameters(), decoder.config());
        DMatrixRMaj traced = decoder.run().trace().get(HookKey.of(Hook.CROSS_PATTERN, 0, 1));
        assertArrayEquals(traced.data, shown.data, 0.0);
        for (int t = 0; t < TARGET.length; t++) {
            double rowSum = 0;
            for (int s = 0; s < SOURCE.length; s++) {
                assertTrue(shown.get(t, s) > 0, "cross-attention masks nothing");
                rowSum += shown.get(t, s);
            }
            assertEquals(1.0, rowSum, 1e-12);
        }
        // score = q_i·k_j/√d, recomputed from the decoder's q and the encoder's k of the shared key/value head
        DMatrixRMaj q = decoder.run().trace().get(HookKey.of(Hook.CROSS_Q, 0, 1));        // [T, D]
        DMatrixRMaj k = decoder.run().trace().get(HookKey.of(Hook.CROSS_K, 0, 0));        // [S, D]
        double dot = 0;
        for (int d = 0; d < q.numCols; d++) {
            dot += q.get(2, d) * k.get(3, d);
        }
        CellExplanation score = Explainer.explain(decoder.run(), decoder.parameters(), decoder.config(),
                TensorRef.hook(Hook.CROSS_ATTN_SCORES, 0, 1), 2, 3);
        assertEquals(dot / Math.sqrt(config.shared().headDim()), score.result(), 1e-12);
        assertEquals(CellExplanation.Kind.SCALED_DOT, score.kind());
        assertEquals(q.numCols, score.terms().size());
    }

    @Test
    void theEncoderSideReadsTheEncoderWeightsAndMasksNothing() {
        EncoderDecoderConfig config = small(ModelConfig.Norm.PRE_LN);
        EncoderDecoderPipeline.Side encoder = run(config)[0];
        assertTrue(encoder.run().bidirectional());
        assertEquals(9, encoder.config().vocabSize());
        assertEquals(2, encoder.config().nLayer());
        DMatrixRMaj pattern = encoder.run().trace().get(HookKey.of(Hook.PATTERN, 1, 0));   // [S, S]
        assertTrue(pattern.get(0, SOURCE.length - 1) > 0, "the first source token sees the last");
        CellExplanation embed = Explainer.explain(encoder.run(), encoder.parameters(), encoder.config(),
                TensorRef.hook(Hook.EMBED), 1, 2);
        assertEquals(encoder.parameters().get(ParameterLayout.TOKEN_EMBEDDING).get(SOURCE[1], 2), embed.result(), 0.0);
    }

    @Test
    void theBundledTranslationModelGivesEveryStageAView() throws Exception {
        LoadedEncoderDecoder bundled = EncoderDecoderFolder.load(Path.of("assets", "model-en-zh"));
        int[] source = bundled.encodeSource("i have three red apples");
        EncoderDecoder model = new EncoderDecoder(bundled.config(), bundled.parameters());
        EncoderDecoderPipeline.Side[] sides = EncoderDecoderPipeline.record(model, source, new int[] {bundled.startId()},
                bundled.sourceTokenizer());
        for (Stage stage : EncoderDecoderPipeline.stages(bundled.config())) {
            StageView view = EncoderDecoderPipeline.view(bundled.config(), stage, 0, source.length, 1, SamplingSettings.PLAIN);
            EncoderDecoderPipeline.Side side = sideOf(sides, stage);
            for (StageTensor tensor : view.tensors()) {
                int[] shape = TensorValues.shape(tensor.ref(), side.run(), side.parameters(), side.config());
                assertArrayEquals(new int[] {tensor.rows(), tensor.columns()}, shape, stage + " " + tensor.letter());
            }
        }
    }
}
