package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;

/** The before/after figures of a grouped-query conversion, measured as the trainer measures. */
class GqaComparisonTest {

    private static final ModelConfig CONFIG = ModelConfig.gpt2Like(12, 8, 2, 4, 16);

    private static int[] corpus(int length) {
        Random random = new Random(3);
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = random.nextInt(6) == 0 ? random.nextInt(12) : i % 12;
        }
        return tokens;
    }

    @Test
    void lossesAreTheTrainersValidationLossesOfBothModels() {
        int[] ids = corpus(8 * 40 + 1);
        TrainingSettings settings = new TrainingSettings(4, 1e-2, Optimizer.Kind.ADAMW, 0.01,
                LearningRateSchedule.constant(), 1.0, UpdateStrategy.PER_BATCH, 7, 0.1, 0, 2);
        Dataset data = new Dataset(ids, 8, settings.validationFraction());
        TrainingLoop trained = TrainingLoop.fresh(CONFIG, data, settings);
        for (int i = 0; i < 30; i++) {
            trained.stepIteration();
        }
        Parameters weights = trained.weights().copy();
        Parameters untouched = weights.copy();
        GqaComparison comparison = GqaComparison.compute(CONFIG, weights, 2, ids, settings);

        double before = new TrainingLoop(CONFIG, weights.copy(), data, settings).validationLoss();
        ModelConfig converted = comparison.converted().config();
        double after = new TrainingLoop(converted, comparison.converted().parameters().copy(), data, settings)
                .validationLoss();
        assertEquals(before, comparison.lossBefore(), 0.0);
        assertEquals(after, comparison.lossAfter(), 0.0);
        assertTrue(Math.abs(before - after) > 1e-6, "pooling trained heads changes the loss");
        assertEquals(2, converted.nKvHead());
        assertEquals(4, comparison.cacheBefore().kvHeads());
        assertEquals(2 * 2 * 4 * 4 * 4, comparison.cacheBefore().bytesPerToken());   // 2·L·G·D·4 bytes
        assertEquals(2 * 2 * 2 * 4 * 4, comparison.cacheAfter().bytesPerToken());
        for (String name : weights.names()) {
            assertTrue(org.ejml.dense.row.MatrixFeatures_DDRM.isIdentical(untouched.get(name), weights.get(name), 0.0),
                    name + " is not modified");
        }
    }

    @Test
    void aCorpusWithoutValidationSamplesIsRefused() {
        Parameters weights = ParameterLayout.of(CONFIG).initialize(1);
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> GqaComparison.compute(CONFIG, weights, 1, corpus(12), TrainingSettings.defaults()));
        assertTrue(thrown.getMessage().contains("too few"), thrown.getMessage());
    }
}
