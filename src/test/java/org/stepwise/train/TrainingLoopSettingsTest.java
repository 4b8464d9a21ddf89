package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;

/** The loop's counters, validation, gradient norm, explosion guard, and settings changed between iterations. */
class TrainingLoopSettingsTest {

    private static final ModelConfig CONFIG = ModelConfig.gpt2Like(12, 8, 1, 2, 8);

    private static Dataset data(int samples, double validation) {
        Random random = new Random(5);
        int[] tokens = new int[8 * samples + 1];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(10) == 0 ? random.nextInt(12) : i % 12;
        }
        return new Dataset(tokens, 8, validation);
    }

    private static TrainingSettings settings(Optimizer.Kind kind, double rate) {
        return new TrainingSettings(4, rate, kind, 0.01, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_BATCH, 7, 0.1, 3, 2);
    }

    @Test
    void validationEveryNIterationsAndGradientNorm() {
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(40, 0.1), settings(Optimizer.Kind.ADAMW, 1e-2));
        assertTrue(Double.isNaN(loop.lastGradientNorm()));
        for (int i = 1; i <= 7; i++) {
            TrainingLoop.Step step = loop.stepIteration();
            // no clipping: the gradient the loop kept is the one whose norm it reports
            assertEquals(loop.gradients().norm(), step.gradientNorm(), 0.0);
            assertTrue(step.gradientNorm() > 0);
            assertEquals(4, step.samples());
            assertEquals(32, step.tokens());
            if (i % 3 == 0) {
                assertEquals(loop.validationLoss(), step.validationLoss(), 0.0, "validation loss at iteration " + i);
                assertEquals(i, loop.validationIteration());
            } else {
                assertTrue(Double.isNaN(step.validationLoss()), "no validation at iteration " + i);
            }
        }
        assertEquals(6, loop.validationIteration());
        assertEquals(28, loop.samplesSeen());
    }

    @Test
    void batchSizeChangedMidEpochKeepsTheWeightsAndTheEpochPosition() {
        Dataset data = data(20, 0.0);                      // 20 training samples
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data, settings(Optimizer.Kind.ADAMW, 1e-2));
        loop.stepIteration();
        loop.stepIteration();                              // 8 of 20 samples
        Parameters before = loop.weights().copy();
        long optimizerSteps = loop.optimizer().steps();
        loop.changeSettings(loop.settings().withBatchSize(5));
        assertArrayEquals(before.get("wte.weight").data, loop.weights().get("wte.weight").data);
        assertEquals(optimizerSteps, loop.optimizer().steps());
        assertEquals(8, loop.samplesInEpoch());
        assertEquals(2 + 3, loop.batchesPerEpoch());        // the 12 samples left make batches of 5, 5, 2
        boolean[] seen = new boolean[20];
        for (int i = 0; i < 3; i++) {
            TrainingLoop.Step step = loop.stepIteration();
            for (int sample : loop.lastBatch().sampleIndices()) {
                seen[sample] = true;
            }
            assertEquals(i == 2, step.epochEnded());
            assertEquals(i < 2 ? 5 : 2, step.samples());
        }
        assertEquals(2, loop.epoch());
        assertEquals(20, loop.samplesSeen());
        assertEquals(4, loop.batchesPerEpoch());            // ⌈20 / 5⌉
        int unseenInTheLastTwelve = 0;
        for (boolean s : seen) {
            unseenInTheLastTwelve += s ? 0 : 1;
        }
        assertEquals(8, unseenInTheLastTwelve, "the rest of the epoch are the 12 samples not yet trained");
    }

    @Test
    void optimizerChangedMidRunKeepsWeightsAndCountersAndStartsFresh() {
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(30, 0.1), settings(Optimizer.Kind.ADAMW, 1e-2));
        for (int i = 0; i < 3; i++) {
            loop.stepIteration();
        }
        Parameters before = loop.weights().copy();
        loop.changeSettings(loop.settings().withOptimizerKind(Optimizer.Kind.SGD));
        assertEquals(Optimizer.Kind.SGD, loop.optimizer().kind());
        assertEquals(0, loop.optimizer().steps());
        assertEquals(3, loop.iteration());
        assertEquals(3, loop.updates());
        assertArrayEquals(before.get("h.0.mlp.c_fc.weight").data, loop.weights().get("h.0.mlp.c_fc.weight").data);
        loop.stepIteration();
        // SGD's update is exactly −lr·g
        double[] now = loop.weights().get("h.0.mlp.c_fc.weight").data;
        double[] gradient = loop.gradients().get("h.0.mlp.c_fc.weight").data;
        double[] was = before.get("h.0.mlp.c_fc.weight").data;
        for (int i = 0; i < now.length; i++) {
            assertEquals(was[i] - 1e-2 * gradient[i], now[i], 0.0);
        }
    }

    @Test
    void weightDecayChangeKeepsAdamWsMoments() {
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(30, 0.1), settings(Optimizer.Kind.ADAMW, 1e-2));
        loop.stepIteration();
        loop.stepIteration();
        OptimizerState moments = loop.optimizer().state();
        loop.changeSettings(loop.settings().withWeightDecay(0.2));
        OptimizerState kept = loop.optimizer().state();
        assertEquals(2, kept.steps());
        assertArrayEquals(moments.buffer(AdamW.SECOND_MOMENT).get("wte.weight").data,
                kept.buffer(AdamW.SECOND_MOMENT).get("wte.weight").data);
        assertEquals(0.2, ((AdamW) loop.optimizer()).weightDecay());
    }

    @Test
    void leavingThePerEpochStrategyDropsTheUnappliedSum() {
        TrainingSettings perEpoch = settings(Optimizer.Kind.SGD, 0.5).withStrategy(UpdateStrategy.PER_EPOCH);
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(12, 0.0), perEpoch);
        loop.stepIteration();
        assertEquals(0, loop.updates());
        assertTrue(loop.captureState().epochTokens() > 0);
        loop.changeSettings(loop.settings().withStrategy(UpdateStrategy.PER_BATCH));
        assertEquals(0, loop.captureState().epochTokens());
        assertEquals(0.0, loop.captureState().epochGradientSum().norm());
        loop.stepIteration();
        assertEquals(1, loop.updates());
    }

    @Test
    void anotherSeedResetsAndAnotherValidationSplitIsRefused() {
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(30, 0.1), settings(Optimizer.Kind.ADAMW, 1e-2));
        loop.stepIteration();
        loop.changeSettings(loop.settings().withSeed(99));
        assertEquals(0, loop.iteration());
        assertArrayEquals(ParameterLayout.of(CONFIG).initialize(99).get("wte.weight").data,
                loop.weights().get("wte.weight").data);
        TrainingSettings otherSplit = new TrainingSettings(4, 1e-2, Optimizer.Kind.ADAMW, 0.01,
                LearningRateSchedule.constant(), 0, UpdateStrategy.PER_BATCH, 99, 0.3, 3, 2);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> loop.changeSettings(otherSplit));
        assertTrue(refused.getMessage().contains("validation"), refused.getMessage());
        assertEquals(0.1, loop.settings().validationFraction());
    }

    @Test
    void aFiniteButExplodingLossIsCaughtAndTheWeightsBeforeTheBadUpdateComeBack() {
        TrainingSettings wild = new TrainingSettings(4, 10, Optimizer.Kind.SGD, 0, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_BATCH, 1, 0.0, 0, 1);
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(20, 0.0), wild);
        Parameters initial = loop.weights().copy();
        TrainingLoop.Step first = loop.stepIteration();
        assertFalse(first.diverged());
        assertNull(first.divergence());
        TrainingLoop.Step second = loop.stepIteration();
        assertTrue(second.diverged());
        assertTrue(Double.isFinite(second.loss()) && second.loss() > loop.explodingLoss(), "loss " + second.loss());
        TrainingLoop.Divergence divergence = second.divergence();
        assertEquals(TrainingLoop.EXPLODED_KEY, divergence.messageKey());
        assertEquals(10, divergence.learningRate());
        assertEquals(1, divergence.suggestedLearningRate(), 1e-15);
        assertEquals(Math.log(12), divergence.uniformLoss(), 1e-15);
        assertEquals(1, loop.iteration());
        assertEquals(0, loop.updates());
        assertArrayEquals(initial.get("wte.weight").data, loop.weights().get("wte.weight").data);
        loop.setLearningRate(divergence.suggestedLearningRate());
        assertFalse(loop.stepIteration().diverged());
    }

    @Test
    void aNonFiniteLossCarriesTheDivergedKey() {
        TrainingSettings wild = new TrainingSettings(4, 1e300, Optimizer.Kind.SGD, 0, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_BATCH, 1, 0.0, 0, 1);
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(20, 0.0), wild);
        TrainingLoop.Step step = loop.stepIteration();
        if (!step.diverged()) {
            step = loop.stepIteration();
        }
        assertTrue(step.diverged());
        assertNotEquals(null, step.divergence());
        assertEquals(1e299, step.divergence().suggestedLearningRate(), 1e284);
        assertTrue(step.divergence().messageKey().startsWith("train."));
    }
}
