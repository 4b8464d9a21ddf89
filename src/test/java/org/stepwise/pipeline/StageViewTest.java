package org.stepwise.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.pipeline.StageTensor.Axis;
import org.stepwise.pipeline.StageTensor.Role;

/** Each stage shows the right tensors with their real shapes, letters, labels and values. */
class StageViewTest {

    @Test
    void queryStageShowsTheProductWithLettersAndRealSizes() {
        ModelConfig config = ModelConfig.gpt2Like(50, 16, 1, 4, 64);
        StageView view = StageView.of(config, Stage.of(Stage.Kind.QKV, 0), 1, 5);
        assertEquals("Q = X·W_Q   [5×64]·[64×16] = [5×16]", view.shapeLines().get(0));
        assertEquals("Q = X W_Q + b_Q,\\quad K = X W_K + b_K,\\quad V = X W_V + b_V", view.latex());
        StageTensor weight = view.tensor(Role.WEIGHT, "W_Q");
        assertEquals(new TensorRef.Weight("h.0.attn.c_attn.weight", 16, 16), weight.ref());
        assertEquals(Axis.DIMENSIONS, weight.rowAxis());
        StageTensor q = view.tensor(Role.OUTPUT, "Q");
        assertEquals("[5×16]", q.shapeText());
        assertEquals(Axis.TOKENS, q.rowAxis());
        StageView scores = StageView.of(config, Stage.of(Stage.Kind.SCORES, 0), 1, 5);
        assertEquals("S = Q·Kᵀ/√d   [5×16]·[16×5] = [5×5]", scores.shapeLines().get(0));
        assertTrue(scores.latex().contains("\\sqrt{d}"));
        StageView logits = StageView.of(config, Stage.of(Stage.Kind.LOGITS), 0, 5);
        assertEquals(Axis.VOCAB, logits.tensor(Role.OUTPUT, "Y").columnAxis());
    }

    @Test
    void weightsAreTheHeadsColumnBlocksAndReproduceTheTrace() {
        ModelConfig config = Models.preLn().withAttention(4, 2);               // GQA: heads 2 and 3 read kv head 1
        Parameters parameters = Models.parameters(config, 4);
        SentenceTrace run = Models.run(config, parameters, 5, 9);
        StageView view = StageView.of(config, Stage.of(Stage.Kind.QKV, 1), 3, 5);
        assertEquals(1, view.kvHead());
        DMatrixRMaj fused = parameters.get("h.1.attn.c_attn.weight");           // [C, C + 2GD]
        DMatrixRMaj fusedBias = parameters.get("h.1.attn.c_attn.bias");         // [1, C + 2GD]
        DMatrixRMaj x = view.values(view.tensor(Role.INPUT, "X"), run, parameters, config); // [T, C]
        int width = config.dModel();
        int headDim = config.headDim();
        int[] firstColumns = {3 * headDim, width + headDim, width + (2 + 1) * headDim};
        String[] letters = {"Q", "K", "V"};
        for (int i = 0; i < 3; i++) {
            DMatrixRMaj w = view.values(view.tensor(Role.WEIGHT, "W_" + letters[i]), run, parameters, config);
            DMatrixRMaj b = view.values(view.tensor(Role.WEIGHT, "b_" + letters[i]), run, parameters, config);
            DMatrixRMaj out = view.values(view.tensor(Role.OUTPUT, letters[i]), run, parameters, config);
            for (int r = 0; r < width; r++) {
                for (int c = 0; c < headDim; c++) {
                    assertEquals(fused.get(r, firstColumns[i] + c), w.get(r, c), 0.0);
                }
            }
            for (int t = 0; t < 5; t++) {
                for (int c = 0; c < headDim; c++) {
                    double sum = b.get(0, c);
                    assertEquals(fusedBias.get(0, firstColumns[i] + c), b.get(0, c), 0.0);
                    for (int k = 0; k < width; k++) {
                        sum += x.get(t, k) * w.get(k, c);
                    }
                    assertEquals(sum, out.get(t, c), 1e-12, letters[i] + "[" + t + "," + c + "]");
                }
            }
        }
    }

    @Test
    void causalMaskStageShowsTheUnmaskedScoresAndTheMaskedOnes() {
        ModelConfig config = Models.preLn();
        Parameters parameters = Models.parameters(config, 4);
        SentenceTrace run = Models.run(config, parameters, 5, 9);
        StageView view = StageView.of(config, Stage.of(Stage.Kind.CAUSAL_MASK, 0), 2, 5);
        DMatrixRMaj unmasked = view.values(view.tensor(Role.INPUT, "S"), run, parameters, config);
        DMatrixRMaj masked = view.values(view.tensor(Role.OUTPUT, "S_masked"), run, parameters, config);
        assertEquals(run.trace().get(HookKey.of(Hook.ATTN_SCORES, 0, 2)).get(4, 1), masked.get(4, 1), 0.0);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                if (j <= i) {
                    assertEquals(masked.get(i, j), unmasked.get(i, j), 1e-12);
                } else {
                    assertEquals(Double.NEGATIVE_INFINITY, masked.get(i, j));
                    assertTrue(Double.isFinite(unmasked.get(i, j)));
                }
            }
        }
    }

    @Test
    void ropeAddsNothingAtThePositionStageAndShowsTheRotationWithQkv() {
        ModelConfig config = Models.preLn().withVariants(ModelConfig.Activation.RELU, ModelConfig.Positional.ROPE,
                ModelConfig.Norm.PRE_LN, true, true);
        StageView position = StageView.of(config, Stage.of(Stage.Kind.POSITION), 0, 4);
        assertTrue(position.nothingAdded());
        assertTrue(position.tensors().stream().noneMatch(t -> t.ref().equals(TensorRef.hook(Hook.POS_EMBED))));
        StageView qkv = StageView.of(config, Stage.of(Stage.Kind.QKV, 0), 0, 4);
        assertTrue(qkv.rotary());
        assertEquals(TensorRef.hook(Hook.ROT_Q, 0, 0), qkv.tensor(Role.OUTPUT, "Q_rot").ref());
        assertEquals(TensorRef.hook(Hook.ROT_K, 0, 0), qkv.tensor(Role.OUTPUT, "K_rot").ref());
        StageView learned = StageView.of(Models.preLn(), Stage.of(Stage.Kind.POSITION), 0, 4);
        assertFalse(learned.nothingAdded());
        assertEquals(TensorRef.hook(Hook.POS_EMBED), learned.tensor(Role.WEIGHT, "P").ref());
    }

    @Test
    void postLnLayerNormReadsTheResidualSum() {
        ModelConfig config = Models.preLn().withVariants(ModelConfig.Activation.RELU, ModelConfig.Positional.LEARNED,
                ModelConfig.Norm.POST_LN, true, true);
        Parameters parameters = Models.parameters(config, 4);
        SentenceTrace run = Models.run(config, parameters, 5, 9);
        StageView view = StageView.of(config, Stage.of(Stage.Kind.LAYER_NORM_1, 1), 0, 5);
        assertEquals(new TensorRef.ResidualSum(1, Hook.ATTN_OUT), view.tensor(Role.INPUT, "x").ref());
        DMatrixRMaj sum = view.values(view.tensor(Role.INPUT, "x"), run, parameters, config);
        DMatrixRMaj pre = run.trace().get(HookKey.of(Hook.RESID_PRE, 1));
        DMatrixRMaj attn = run.trace().get(HookKey.of(Hook.ATTN_OUT, 1));
        for (int i = 0; i < sum.getNumElements(); i++) {
            assertEquals(pre.data[i] + attn.data[i], sum.data[i], 0.0);
        }
    }

    @Test
    void shapesAndSingleRowsAgreeWithTheWholeTensors() {
        for (Models.Named model : Models.all()) {
            ModelConfig config = model.config();
            Parameters parameters = Models.parameters(config, 6);
            SentenceTrace run = Models.run(config, parameters, 4, 6);
            for (Stage stage : Pipeline.stages(config)) {
                StageView view = StageView.of(config, stage, config.nHead() - 1, 4,
                        new org.stepwise.sample.SamplingSettings(0.8, 3, 0.9));
                for (StageTensor tensor : view.tensors()) {
                    DMatrixRMaj whole = view.values(tensor, run, parameters, config);
                    int[] shape = TensorValues.shape(tensor.ref(), run, parameters, config);
                    assertEquals(whole.numRows, shape[0], tensor.letter());
                    assertEquals(whole.numCols, shape[1], tensor.letter());
                    for (int r = 0; r < whole.numRows; r++) {
                        double[] row = TensorValues.row(tensor.ref(), r, run, parameters, config);
                        for (int c = 0; c < whole.numCols; c++) {
                            assertEquals(whole.get(r, c), row[c], 0.0, stage + " " + tensor.letter());
                        }
                    }
                }
            }
        }
    }

    @Test
    void stagesTheModelDoesNotHaveAreRejected() {
        ModelConfig dense = Models.preLn();
        assertThrows(IllegalArgumentException.class, () -> StageView.of(dense, Stage.of(Stage.Kind.ROUTER, 0), 0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> StageView.of(dense.withExperts(2, 1), Stage.of(Stage.Kind.FFN_UP, 0), 0, 3));
        assertThrows(IllegalArgumentException.class, () -> StageView.of(dense, Stage.of(Stage.Kind.QKV, 2), 0, 3));
        assertThrows(IllegalArgumentException.class, () -> StageView.of(dense, Stage.of(Stage.Kind.QKV, 0), 4, 3));
        assertThrows(IllegalArgumentException.class, () -> StageView.of(dense, Stage.of(Stage.Kind.QKV, 0), 0, 7));
        ModelConfig postLn = dense.withVariants(ModelConfig.Activation.RELU, ModelConfig.Positional.LEARNED,
                ModelConfig.Norm.POST_LN, true, true);
        assertThrows(IllegalArgumentException.class,
                () -> StageView.of(postLn, Stage.of(Stage.Kind.FINAL_LAYER_NORM), 0, 3));
    }

    @Test
    void everyStageOfEveryModelHasAFormulaAndShapes() {
        for (Models.Named model : Models.all()) {
            for (Stage stage : Pipeline.stages(model.config())) {
                StageView view = StageView.of(model.config(), stage, 0, 3);
                assertFalse(view.latex().isBlank(), stage.toString());
                if (stage.kind() != Stage.Kind.TEXT) {
                    assertFalse(view.tensors().isEmpty(), stage.toString());
                    assertFalse(view.shapeLines().isEmpty(), stage.toString());
                }
                List<StageTensor> outputs = view.outputs();
                assertTrue(stage.kind() == Stage.Kind.TEXT || stage.kind() == Stage.Kind.NEXT_TOKEN
                        || !outputs.isEmpty(), stage.toString());
            }
        }
    }
}
