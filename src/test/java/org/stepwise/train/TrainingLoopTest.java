package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;

/** The training loop: counters, the three update strategies, determinism and the divergence guard. */
class TrainingLoopTest {

    private static final ModelConfig CONFIG = ModelConfig.gpt2Like(12, 8, 1, 2, 8);

    /** A learnable stream: the repeating pattern 0 1 2 … 11 0 1 2 …, with a little seeded noise. */
    private static int[] pattern(int length) {
        Random random = new Random(5);
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = random.nextInt(10) == 0 ? random.nextInt(12) : i % 12;
        }
        return tokens;
    }

    private static TrainingSettings settings(UpdateStrategy strategy) {
        return new TrainingSettings(4, 1e-2, Optimizer.Kind.ADAMW, 0.01, LearningRateSchedule.constant(), 1.0,
                strategy, 7, 0.1, 0, 2);
    }

    @Test
    void countersFollowTheArticlesDefinitions() {
        Dataset data = new Dataset(pattern(8 * 23 + 1), 8, 0.1);   // 23 samples: 2 for validation, 21 to train
        assertEquals(21, data.trainSize());
        assertEquals(2, data.validationSize());
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data, settings(UpdateStrategy.PER_BATCH));
        assertEquals(6, loop.batchesPerEpoch());                    // ⌈21 / 4⌉: the last batch has 1 sample
        boolean sawEnd = false;
        for (int i = 1; i <= 6; i++) {
            TrainingLoop.Step step = loop.stepIteration();
            assertFalse(step.diverged());
            sawEnd |= step.epochEnded();
            assertEquals(i == 6, step.epochEnded());
        }
        assertTrue(sawEnd);
        assertEquals(6, loop.iteration());
        assertEquals(2, loop.epoch());
        assertEquals(0, loop.batchInEpoch());
        assertEquals(21, loop.samplesSeen());
        assertEquals(6, loop.updates());
    }

    @Test
    void updateStrategiesChangeTheWeightsAtTheirOwnMoments() {
        Dataset data = new Dataset(pattern(8 * 13 + 1), 8, 0.0);   // 13 samples, batches 4,4,4,1
        TrainingLoop perSample = TrainingLoop.fresh(CONFIG, data, settings(UpdateStrategy.PER_SAMPLE));
        TrainingLoop perEpoch = TrainingLoop.fresh(CONFIG, data, settings(UpdateStrategy.PER_EPOCH));
        Parameters start = perEpoch.weights().copy();
        perSample.stepIteration();
        assertEquals(4, perSample.updates());
        for (int i = 0; i < 3; i++) {
            perEpoch.stepIteration();
            assertEquals(0, perEpoch.updates());
            assertEquals(start.get("wte.weight").data[0], perEpoch.weights().get("wte.weight").data[0]);
        }
        assertTrue(perEpoch.stepIteration().epochEnded());
        assertEquals(1, perEpoch.updates());
        assertNotEquals(start.get("wte.weight").data[0], perEpoch.weights().get("wte.weight").data[0]);
    }

    @Test
    void perEpochUpdateUsesTheMeanGradientOfTheWholeEpoch() {
        Dataset data = new Dataset(pattern(8 * 10 + 1), 8, 0.0);
        TrainingSettings sgd = new TrainingSettings(3, 0.5, Optimizer.Kind.SGD, 0, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_EPOCH, 3, 0.0, 0, 1);
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data, sgd);
        Parameters start = loop.weights().copy();
        while (!loop.stepIteration().epochEnded()) {
            // one epoch
        }
        // The same update computed at once from all 10 samples.
        int[][] inputs = new int[10][];
        int[][] targets = new int[10][];
        for (int i = 0; i < 10; i++) {
            inputs[i] = data.trainInput(i);
            targets[i] = data.trainTarget(i);
        }
        Parameters expected = start.copy();
        Parameters gradients = start.zerosLike();
        new Transformer(CONFIG, expected).lossAndGradients(inputs, targets, gradients);
        new Sgd().step(expected, gradients, 0.5);
        for (String name : expected.names()) {
            double[] want = expected.get(name).data;
            double[] got = loop.weights().get(name).data;
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-12, name);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(UpdateStrategy.class)
    void sameSeedAndSettingsGiveTheSameLossesBitForBit(UpdateStrategy strategy) {
        Dataset data = new Dataset(pattern(8 * 30 + 1), 8, 0.1);
        double[] first = losses(TrainingLoop.fresh(CONFIG, data, settings(strategy)), 20);
        double[] second = losses(TrainingLoop.fresh(CONFIG, data, settings(strategy)), 20);
        assertArrayEquals(first, second);
        double[] otherSeed = losses(TrainingLoop.fresh(CONFIG, data, settings(strategy).withSeed(8)), 20);
        assertFalse(java.util.Arrays.equals(first, otherSeed));
    }

    private static double[] losses(TrainingLoop loop, int steps) {
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = loop.stepIteration().loss();
        }
        return out;
    }

    @Test
    void trainingLowersTheLossOnALearnablePattern() {
        Dataset data = new Dataset(pattern(8 * 40 + 1), 8, 0.1);
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data, settings(UpdateStrategy.PER_BATCH));
        double before = loop.validationLoss();
        for (int i = 0; i < 150; i++) {
            loop.stepIteration();
        }
        double after = loop.validationLoss();
        assertTrue(after < before - 0.5, "validation loss " + before + " → " + after);
    }

    @Test
    void divergenceRestoresTheLastGoodWeightsAndReportsIt() {
        Dataset data = new Dataset(pattern(8 * 20 + 1), 8, 0.0);
        TrainingSettings wild = new TrainingSettings(4, 1e300, Optimizer.Kind.SGD, 0, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_BATCH, 1, 0.0, 0, 1);
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data, wild);
        Parameters initial = loop.weights().copy();
        TrainingLoop.Step step = loop.stepIteration();
        if (!step.diverged()) {
            step = loop.stepIteration();
        }
        // The first update makes the weights huge (or infinite); the next loss at the latest is not finite.
        assertTrue(step.diverged(), "a learning rate of 1e300 must diverge");
        assertTrue(step.message() != null && !step.message().isBlank());
        assertTrue(loop.weights().allFinite());
        for (String name : initial.names()) {
            assertArrayEquals(initial.get(name).data, loop.weights().get(name).data, name);
        }
        loop.setLearningRate(1e-3);
        assertFalse(loop.stepIteration().diverged());
    }

    @Test
    void resetGoesBackToTheSeededWeights() {
        Dataset data = new Dataset(pattern(8 * 20 + 1), 8, 0.0);
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data, settings(UpdateStrategy.PER_BATCH));
        double firstLoss = loop.stepIteration().loss();
        loop.stepIteration();
        loop.reset();
        assertEquals(0, loop.iteration());
        assertEquals(1, loop.epoch());
        Parameters seeded = ParameterLayout.of(CONFIG).initialize(7);
        assertArrayEquals(seeded.get("wte.weight").data, loop.weights().get("wte.weight").data);
        assertEquals(firstLoss, loop.stepIteration().loss());
    }

    @Test
    void warmupCosineRisesThenFalls() {
        LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(10, 100);
        assertEquals(0.1, schedule.rate(1.0, 0), 1e-15);
        assertEquals(1.0, schedule.rate(1.0, 9), 1e-15);
        assertEquals(1.0, schedule.rate(1.0, 10), 1e-15);
        assertEquals(0.55, schedule.rate(1.0, 55), 1e-12);
        assertEquals(0.1, schedule.rate(1.0, 100), 1e-15);
    }
}
