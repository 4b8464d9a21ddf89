package org.stepwise.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.pipeline.CellExplanation.Kind;
import org.stepwise.pipeline.CellExplanation.Name;
import org.stepwise.sample.SamplingSettings;

/** Every cell of every tensor of every stage, explained and recomputed, equals the model's number. */
class ExplainerTest {

    private static final double TOLERANCE = 1e-12;
    private static final List<SamplingSettings> SETTINGS = List.of(SamplingSettings.PLAIN,
            new SamplingSettings(0.7, 4, 0.8), SamplingSettings.GREEDY, SamplingSettings.ofTemperature(2.5));

    static List<Models.Named> models() {
        return Models.all();
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyCellOfEveryStageIsExplainedWithTheModelsNumber(Models.Named model) {
        ModelConfig config = model.config();
        Parameters parameters = Models.parameters(config, 11);
        SentenceTrace run = Models.run(config, parameters, 5, 3);
        Set<Kind> seen = EnumSet.noneOf(Kind.class);
        int cells = 0;
        for (Stage stage : Pipeline.stages(config)) {
            boolean perHead = stage.kind() == Stage.Kind.QKV || stage.kind() == Stage.Kind.SCORES
                    || stage.kind() == Stage.Kind.CAUSAL_MASK || stage.kind() == Stage.Kind.ATTENTION_SOFTMAX
                    || stage.kind() == Stage.Kind.WEIGHTED_SUM;
            boolean output = stage.kind() == Stage.Kind.OUTPUT_SOFTMAX;
            for (int head = 0; head < (perHead ? config.nHead() : 1); head++) {
                for (SamplingSettings settings : output ? SETTINGS : List.of(SamplingSettings.PLAIN)) {
                    StageView view = StageView.of(config, stage, head, run.tokens(), settings);
                    for (StageTensor tensor : view.tensors()) {
                        DMatrixRMaj values = view.values(tensor, run, parameters, config);
                        assertEquals(tensor.rows(), values.numRows, stage + " " + tensor.letter() + " rows");
                        assertEquals(tensor.columns(), values.numCols, stage + " " + tensor.letter() + " columns");
                        for (int r = 0; r < values.numRows; r++) {
                            for (int c = 0; c < values.numCols; c++) {
                                CellExplanation e = Explainer.explain(run, parameters, config, tensor.ref(), r, c);
                                assertSame(values.get(r, c), e.result(), stage + " " + tensor.letter() + "[" + r + ","
                                        + c + "] " + e.kind());
                                assertSortedByMagnitude(e);
                                seen.add(e.kind());
                                cells++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(cells > 1000, "cells checked: " + cells);
        Set<Kind> expected = EnumSet.of(Kind.PARAMETER, Kind.TOKEN_ID, Kind.ONE_HOT, Kind.EMBEDDING_LOOKUP,
                Kind.COPY, Kind.RESIDUAL_SUM, Kind.LAYER_NORM, Kind.LAYER_NORM_SCALE, Kind.DOT_PRODUCT,
                Kind.SCALED_DOT, Kind.MASKED, Kind.SOFTMAX, Kind.FILTERED_OUT, Kind.ARGMAX);
        ModelConfig.Positional positional = config.positional();
        if (positional == ModelConfig.Positional.LEARNED) {
            expected.add(Kind.POSITION_LEARNED);
        }
        if (positional == ModelConfig.Positional.SINUSOIDAL) {
            expected.add(Kind.POSITION_SINUSOIDAL);
        }
        if (positional == ModelConfig.Positional.ROPE) {
            expected.add(Kind.ROTATION);
        }
        if (config.isMoe()) {
            expected.add(Kind.EXPERT_CHOICE);
            expected.add(Kind.EXPERT_MIX);
        } else {
            expected.add(config.activation() == ModelConfig.Activation.RELU ? Kind.ACTIVATION_RELU : Kind.ACTIVATION_GELU);
        }
        assertEquals(expected, seen);
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyRecordedIntermediateIsExplainedWithTheModelsNumber(Models.Named model) {
        ModelConfig config = model.config();
        Parameters parameters = Models.parameters(config, 5);
        SentenceTrace run = Models.run(config, parameters, 6, 8);
        for (HookKey key : run.trace().keys()) {
            DMatrixRMaj values = run.trace().get(key);
            for (int r = 0; r < values.numRows; r++) {
                for (int c = 0; c < values.numCols; c++) {
                    CellExplanation e = Explainer.explain(run, parameters, config, new TensorRef.Hooked(key), r, c);
                    assertSame(values.get(r, c), e.result(), key + "[" + r + "," + c + "] " + e.kind());
                }
            }
        }
    }

    @Test
    void scoreExplanationListsTheRealProductsOfQAndK() {
        ModelConfig config = Models.preLn();
        Parameters parameters = Models.parameters(config, 2);
        SentenceTrace run = Models.run(config, parameters, 5, 4);
        CellExplanation e = Explainer.explain(run, parameters, config, TensorRef.hook(Hook.ATTN_SCORES, 1, 2), 3, 1);
        assertEquals(Kind.SCALED_DOT, e.kind());
        assertEquals(config.headDim(), e.terms().size());
        double[] q = row(run.trace().get(HookKey.of(Hook.Q, 1, 2)), 3);
        double[] k = row(run.trace().get(HookKey.of(Hook.K, 1, 2)), 1);
        for (CellExplanation.Term term : e.terms()) {
            assertEquals(q[term.index()], term.left(), 0.0);
            assertEquals(k[term.index()], term.right(), 0.0);
            assertEquals(q[term.index()] * k[term.index()], term.product(), 0.0);
        }
        assertEquals(Math.sqrt(config.headDim()), e.quantity(Name.SQRT_D), 0.0);
        CellExplanation masked = Explainer.explain(run, parameters, config, TensorRef.hook(Hook.ATTN_SCORES, 1, 2), 1, 3);
        assertEquals(Kind.MASKED, masked.kind());
        assertEquals(Double.NEGATIVE_INFINITY, masked.result());
    }

    @Test
    void layerNormExplanationNamesMuSigmaGammaBeta() {
        ModelConfig config = Models.preLn();
        Parameters parameters = Models.parameters(config, 2);
        SentenceTrace run = Models.run(config, parameters, 4, 4);
        CellExplanation e = Explainer.explain(run, parameters, config, TensorRef.hook(Hook.LN2_NORMALIZED, 0), 2, 5);
        double[] x = row(run.trace().get(HookKey.of(Hook.RESID_MID, 0)), 2);
        double mean = java.util.Arrays.stream(x).average().orElseThrow();
        double variance = java.util.Arrays.stream(x).map(v -> (v - mean) * (v - mean)).average().orElseThrow();
        assertEquals(mean, e.quantity(Name.MEAN), 1e-15);
        assertEquals(variance, e.quantity(Name.VARIANCE), 1e-15);
        assertEquals(parameters.get("h.0.ln_2.weight").get(0, 5), e.quantity(Name.GAMMA), 0.0);
        assertEquals(parameters.get("h.0.ln_2.bias").get(0, 5), e.quantity(Name.BETA), 0.0);
        assertEquals(run.trace().get(HookKey.of(Hook.LN2_SCALE, 0), 2, 0), e.quantity(Name.STD), 1e-15);
    }

    @Test
    void cellsOutsideTheTensorAreRejected() {
        ModelConfig config = Models.preLn();
        Parameters parameters = Models.parameters(config, 2);
        SentenceTrace run = Models.run(config, parameters, 4, 4);
        assertThrows(IllegalArgumentException.class,
                () -> Explainer.explain(run, parameters, config, TensorRef.hook(Hook.EMBED), 4, 0));
        assertThrows(IllegalArgumentException.class,
                () -> Explainer.explain(run, parameters, config, TensorRef.hook(Hook.MLP_PRE, 0), 0, -1));
        assertThrows(IllegalArgumentException.class,
                () -> Explainer.explain(run, parameters, config, TensorRef.hook(Hook.ROT_Q, 0, 0), 0, 0));
    }

    private static void assertSame(double expected, double actual, String message) {
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            assertEquals(expected, actual, message);
        } else if (Math.abs(expected - actual) > TOLERANCE) {
            fail(message + ": expected " + expected + " but the explanation gives " + actual);
        }
    }

    private static void assertSortedByMagnitude(CellExplanation e) {
        for (int i = 1; i < e.terms().size(); i++) {
            assertTrue(Math.abs(e.terms().get(i - 1).product()) >= Math.abs(e.terms().get(i).product()));
        }
    }

    private static double[] row(DMatrixRMaj m, int r) {
        double[] out = new double[m.numCols];
        System.arraycopy(m.data, r * m.numCols, out, 0, m.numCols);
        return out;
    }
}
