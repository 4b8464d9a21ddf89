package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;

/**
 * The article's point about the embedding: with an untied embedding and SGD only the rows of the tokens in the
 * batch move; tying the output layer to it, or AdamW's weight decay, moves the other rows too.
 */
class WeightChangeTest {

    private static final int VOCAB = 40;
    private static final ModelConfig TIED = ModelConfig.gpt2Like(VOCAB, 8, 1, 2, 8);
    private static final ModelConfig UNTIED = TIED.withVariants(TIED.activation(), TIED.positional(), TIED.norm(),
            false, TIED.bias());

    /** Tokens 0 … 39 repeating: a batch of 2 × 8 inputs holds at most 16 of the 40 ids. */
    private static Dataset data() {
        int[] tokens = new int[8 * 30 + 1];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 7) % VOCAB;
        }
        return new Dataset(tokens, 8, 0.0);
    }

    private static TrainingSettings settings(Optimizer.Kind kind, double weightDecay) {
        return new TrainingSettings(2, 0.1, kind, weightDecay, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_BATCH, 3, 0.0, 0, 1);
    }

    private static WeightChange lastChange(TrainingLoop loop) {
        return new WeightChange(loop.weightsBeforeLastUpdate().copy(), loop.weights().copy(), loop.updates());
    }

    @Test
    void untiedEmbeddingWithSgdMovesOnlyTheRowsOfTheBatchTokens() {
        TrainingLoop loop = TrainingLoop.fresh(UNTIED, data(), settings(Optimizer.Kind.SGD, 0));
        for (int i = 0; i < 3; i++) {
            assertFalse(loop.stepIteration().diverged());
            int[] batchIds = loop.lastBatch().distinctInputIds();
            int[] moved = lastChange(loop).movedEmbeddingRows();
            assertTrue(batchIds.length < VOCAB, "the batch must leave some tokens out for the test to mean anything");
            assertArrayEquals(batchIds, moved, "iteration " + (i + 1));
        }
    }

    @Test
    void tiedEmbeddingMovesEveryRowBecauseTheOutputLayerUsesThemAll() {
        TrainingLoop loop = TrainingLoop.fresh(TIED, data(), settings(Optimizer.Kind.SGD, 0));
        loop.stepIteration();
        assertTrue(loop.lastBatch().distinctInputIds().length < VOCAB);
        assertEquals(VOCAB, lastChange(loop).movedEmbeddingRows().length);
    }

    @Test
    void adamWWeightDecayMovesEveryRowOfAnUntiedEmbedding() {
        TrainingLoop decayed = TrainingLoop.fresh(UNTIED, data(), settings(Optimizer.Kind.ADAMW, 0.1));
        decayed.stepIteration();
        assertEquals(VOCAB, lastChange(decayed).movedEmbeddingRows().length);
        // The same first step without decay: Adam's moments are zero outside the batch, so only its rows move.
        TrainingLoop plain = TrainingLoop.fresh(UNTIED, data(), settings(Optimizer.Kind.ADAMW, 0));
        plain.stepIteration();
        assertArrayEquals(plain.lastBatch().distinctInputIds(), lastChange(plain).movedEmbeddingRows());
    }

    @Test
    void deltaIsMinusRateTimesGradientForSgd() {
        TrainingLoop loop = TrainingLoop.fresh(UNTIED, data(), settings(Optimizer.Kind.SGD, 0));
        loop.stepIteration();
        WeightChange change = lastChange(loop);
        assertEquals(1, change.update());
        for (String name : new String[] {"h.0.attn.c_attn.weight", ParameterLayout.TOKEN_EMBEDDING, "ln_f.weight"}) {
            DMatrixRMaj delta = change.delta(name);
            DMatrixRMaj gradient = loop.gradients().get(name);
            double largest = 0;
            for (int i = 0; i < gradient.getNumElements(); i++) {
                // θ' − θ = −lr·g, up to the rounding of θ − lr·g
                assertEquals(-0.1 * gradient.data[i], delta.data[i], 1e-15, name + "[" + i + "]");
                largest = Math.max(largest, Math.abs(delta.data[i]));
            }
            assertEquals(largest, change.largestChange(name), 0.0);
            assertTrue(largest > 0, name + " must move");
        }
        double[] rowNorms = change.rowChangeNorms(ParameterLayout.TOKEN_EMBEDDING);
        DMatrixRMaj delta = change.delta(ParameterLayout.TOKEN_EMBEDDING);
        double sum = 0;
        for (int col = 0; col < delta.numCols; col++) {
            sum += delta.get(5, col) * delta.get(5, col);
        }
        assertEquals(Math.sqrt(sum), rowNorms[5], 1e-18);
    }

    @Test
    void noUpdateMeansNoChange() {
        Parameters weights = ParameterLayout.of(UNTIED).initialize(1);
        WeightChange none = WeightChange.none(weights);
        assertEquals(0, none.movedEmbeddingRows().length);
        assertEquals(0.0, none.largestChange("wte.weight"));
    }

    @Test
    void batchViewShowsTheCausalMaskAndShiftedTargets() {
        TrainingLoop loop = TrainingLoop.fresh(UNTIED, data(), settings(Optimizer.Kind.SGD, 0));
        assertEquals(0, loop.lastBatch().batchSize());
        loop.stepIteration();
        BatchView batch = loop.lastBatch();
        assertEquals(2, batch.batchSize());
        assertEquals(8, batch.sequenceLength());
        assertEquals(16, batch.predictions());
        assertEquals(UNTIED.dModel(), batch.dModel());
        for (int row = 0; row < 2; row++) {
            assertArrayEquals(loop.data().trainInput(batch.sampleIndices()[row]), batch.inputs()[row]);
            assertArrayEquals(loop.data().trainTarget(batch.sampleIndices()[row]), batch.targets()[row]);
            for (int t = 0; t + 1 < 8; t++) {
                assertEquals(batch.inputs()[row][t + 1], batch.targets()[row][t]);
            }
        }
        assertTrue(batch.attends(3, 3));
        assertTrue(batch.attends(3, 0));
        assertFalse(batch.attends(3, 4));
    }
}
