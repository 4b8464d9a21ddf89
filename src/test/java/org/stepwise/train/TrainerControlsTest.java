package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.tokenizer.CharTokenizer;

/** The trainer's controls: slow motion, settings through the queue, divergence messages, snapshots, sessions. */
class TrainerControlsTest {

    private static final String TEXT = "abcdefghijkl".repeat(30);
    private static final CharTokenizer TOKENIZER = CharTokenizer.train(TEXT);
    private static final ModelConfig CONFIG = ModelConfig.gpt2Like(TOKENIZER.vocabSize(), 8, 1, 2, 8);
    private final List<TrainingSnapshot> snapshots = new CopyOnWriteArrayList<>();
    private Trainer trainer;

    @TempDir
    Path folder;

    private static TrainingSettings settings(double learningRate) {
        return new TrainingSettings(2, learningRate, Optimizer.Kind.ADAMW, 0.01, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_BATCH, 1, 0.1, 5, 1);
    }

    private static Dataset data() {
        return new Dataset(TOKENIZER.encode(TEXT).ids(), 8, 0.1);
    }

    private Trainer open(Trainer newTrainer) {
        trainer = newTrainer;
        trainer.addListener(snapshots::add);
        return trainer.open();
    }

    @AfterEach
    void close() throws InterruptedException {
        if (trainer != null) {
            trainer.close(5000);
        }
    }

    private TrainingSnapshot await(Predicate<TrainingSnapshot> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (TrainingSnapshot s : snapshots) {
                if (condition.test(s)) {
                    return s;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no snapshot matched; last: " + (snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1)));
    }

    private TrainingSnapshot last() {
        return snapshots.get(snapshots.size() - 1);
    }

    @Test
    void slowMotionLimitsTheIterationsPerSecondAndCanBeLiftedWhileRunning() throws InterruptedException {
        open(new Trainer(TrainingLoop.fresh(CONFIG, data(), settings(1e-3))));
        trainer.setSpeed(TrainingSpeed.atMost(10));
        await(s -> s.event() == TrainingSnapshot.Event.SPEED_CHANGED);
        trainer.start();
        TrainingSnapshot started = await(s -> s.event() == TrainingSnapshot.Event.STARTED);
        Thread.sleep(1000);
        long inOneSecond = last().iteration() - started.iteration();
        assertTrue(inOneSecond >= 5 && inOneSecond <= 11, inOneSecond + " iterations in a second at 10 per second");
        assertEquals(10, last().speed().maxIterationsPerSecond());
        trainer.setSpeed(TrainingSpeed.FULL);
        long atFull = await(s -> s.event() == TrainingSnapshot.Event.SPEED_CHANGED && s.speed().isFull()).iteration();
        await(s -> s.iteration() > atFull + 100);
        trainer.pause();
        assertThrows(IllegalArgumentException.class, () -> TrainingSpeed.atMost(0));
    }

    @Test
    void settingsChangeThroughTheQueueBetweenIterations() throws Exception {
        open(new Trainer(TrainingLoop.fresh(CONFIG, data(), settings(1e-3))));
        trainer.stepIteration();
        TrainingSnapshot first = await(s -> s.iteration() == 1);
        assertEquals(2, first.batch().batchSize());
        assertEquals(3, trainer.setBatchSize(3).get(5, TimeUnit.SECONDS).batchSize());
        trainer.stepIteration();
        TrainingSnapshot second = await(s -> s.iteration() == 2);
        assertEquals(3, second.batch().batchSize());
        assertEquals(5, second.samplesSeen());
        assertEquals(5, second.samplesInEpoch());
        assertEquals(Optimizer.Kind.SGD, trainer.setOptimizer(Optimizer.Kind.SGD).get(5, TimeUnit.SECONDS).optimizer());
        assertEquals(UpdateStrategy.PER_SAMPLE,
                trainer.setUpdateStrategy(UpdateStrategy.PER_SAMPLE).get(5, TimeUnit.SECONDS).strategy());
        trainer.stepIteration();
        TrainingSnapshot third = await(s -> s.iteration() == 3);
        assertEquals(2 + 3, third.updates(), "one update per sample of the batch of 3");
        assertSame(Optimizer.Kind.SGD, third.settings().optimizer());

        ExecutionException refused = assertThrows(ExecutionException.class, () -> trainer.changeSettings(s ->
                new TrainingSettings(s.batchSize(), s.learningRate(), s.optimizer(), s.weightDecay(), s.schedule(),
                        s.gradientClip(), s.strategy(), s.seed(), 0.4, s.validationEvery(), s.validationBatches()))
                .get(5, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof IllegalArgumentException);
        TrainingSnapshot rejected = await(s -> s.event() == TrainingSnapshot.Event.SETTINGS_REJECTED);
        assertEquals(Trainer.SETTING_REJECTED_KEY, rejected.messageKey());

        trainer.setSeed(5).get(5, TimeUnit.SECONDS);
        TrainingSnapshot reset = await(s -> s.event() == TrainingSnapshot.Event.RESET);
        assertEquals(0, reset.iteration());
        assertArrayEquals(ParameterLayout.of(CONFIG).initialize(5).get("wte.weight").data,
                reset.weights().get("wte.weight").data);
        assertEquals(1, trainer.timeline().moments().size());
    }

    @Test
    void snapshotCarriesCountersChangeBatchAndSpeed() throws InterruptedException {
        open(new Trainer(TrainingLoop.fresh(CONFIG, data(), settings(1e-3))));
        TrainingSnapshot initial = await(s -> s.iteration() == 0);
        assertEquals(0, initial.lastUpdate().update());
        assertEquals(0, initial.batch().batchSize());
        trainer.stepIteration();
        TrainingSnapshot one = await(s -> s.iteration() == 1);
        assertSame(one.weights(), one.lastUpdate().after());
        assertEquals(1, one.lastUpdate().update());
        assertArrayEquals(initial.weights().get("wte.weight").data, one.lastUpdate().before().get("wte.weight").data);
        assertTrue(one.lastUpdate().largestChange("h.0.attn.c_proj.weight") > 0);
        assertEquals(Math.exp(one.trainLoss()), one.perplexity());
        assertTrue(Double.isFinite(one.gradientNorm()) && one.gradientNorm() > 0);
        assertEquals(2, one.batch().batchSize());
        assertEquals(data().trainSize(), one.trainSamples());
        trainer.start();
        TrainingSnapshot measured = await(s -> s.tokensPerSecond() > 0 && s.validationIteration() > 0);
        assertTrue(Double.isFinite(measured.validationLoss()));
        assertEquals(0, measured.validationIteration() % 5);
        TrainingSnapshot epochEnd = await(s -> s.event() == TrainingSnapshot.Event.EPOCH_END);
        assertEquals(Trainer.EPOCH_END_KEY, epochEnd.messageKey());
        assertEquals(0, epochEnd.samplesInEpoch());
        trainer.pause();
        await(s -> s.event() == TrainingSnapshot.Event.PAUSED);
        assertTrue(trainer.timeline().lossHistory().trainCount() >= epochEnd.iteration());
    }

    @Test
    void divergenceSaysWhatHappenedInBothLanguagesAndSuggestsASmallerRate() throws InterruptedException {
        TrainingSettings wild = new TrainingSettings(2, 10, Optimizer.Kind.SGD, 0, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_BATCH, 1, 0.1, 5, 1);
        open(new Trainer(TrainingLoop.fresh(CONFIG, data(), wild)));
        trainer.start();
        TrainingSnapshot diverged = await(s -> s.event() == TrainingSnapshot.Event.DIVERGED);
        assertFalse(diverged.running());
        assertTrue(diverged.messageKey().equals(TrainingLoop.EXPLODED_KEY)
                || diverged.messageKey().equals(TrainingLoop.DIVERGED_KEY), diverged.messageKey());
        assertEquals(10, diverged.divergence().learningRate());
        assertEquals(1, diverged.divergence().suggestedLearningRate(), 1e-15);
        for (Locale locale : new Locale[] {Locale.ROOT, Locale.SIMPLIFIED_CHINESE}) {
            ResourceBundle bundle = ResourceBundle.getBundle("org.stepwise.i18n.messages", locale,
                    ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
            for (String key : new String[] {TrainingLoop.DIVERGED_KEY, TrainingLoop.EXPLODED_KEY}) {
                String text = new MessageFormat(bundle.getString(key), locale).format(new Object[] {
                    diverged.divergence().learningRate(), diverged.divergence().suggestedLearningRate(),
                    diverged.divergence().loss(), diverged.divergence().uniformLoss()});
                assertTrue(text.contains("1E1") && text.contains("1E0"), locale + " " + key + ": " + text);
            }
        }
    }

    @Test
    void aCapturedSessionResumesWithIdenticalLosses() throws Exception {
        double[] straight = new double[8];
        TrainingLoop reference = TrainingLoop.fresh(CONFIG, data(), settings(1e-2));
        for (int i = 0; i < straight.length; i++) {
            straight[i] = reference.stepIteration().loss();
        }
        open(new Trainer(TrainingLoop.fresh(CONFIG, data(), settings(1e-2))));
        trainer.stepIterations(5);
        await(s -> s.iteration() == 5);
        TrainingSession session = assertInstanceOf(TrainingSession.class, trainer.captureSession("live", TOKENIZER).get(5, TimeUnit.SECONDS));
        assertEquals(5, session.lossHistory().trainCount());
        TrainingSessionFiles.save(folder, session);
        trainer.close(5000);
        snapshots.clear();

        open(Trainer.resume(TrainingSessionFiles.load(folder)));
        trainer.stepIterations(3);
        await(s -> s.iteration() == 8);
        LossHistory history = trainer.timeline().lossHistory();
        assertArrayEquals(straight, history.trainLosses());
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, history.trainIterations());
    }
}
