package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.stepwise.model.ModelConfig;

/** The trainer's thread: commands through the queue, snapshots at a bounded rate, the divergence guard. */
class TrainerTest {

    private static final ModelConfig CONFIG = ModelConfig.gpt2Like(12, 8, 1, 2, 8);
    private final List<TrainingSnapshot> snapshots = new CopyOnWriteArrayList<>();
    private Trainer trainer;

    private Trainer open(double learningRate) {
        int[] tokens = new int[8 * 40 + 1];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i % 12;
        }
        TrainingSettings settings = new TrainingSettings(2, learningRate, Optimizer.Kind.SGD, 0,
                LearningRateSchedule.constant(), 0, UpdateStrategy.PER_BATCH, 1, 0.1, 5, 1);
        trainer = new Trainer(TrainingLoop.fresh(CONFIG, new Dataset(tokens, 8, 0.1), settings));
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

    @Test
    void stepOneIterationThenOneEpoch() throws InterruptedException {
        open(0.1);
        await(s -> s.iteration() == 0);
        trainer.stepIteration();
        TrainingSnapshot one = await(s -> s.iteration() == 1);
        assertFalse(one.running());
        assertTrue(Double.isFinite(one.trainLoss()));
        trainer.stepEpoch();
        TrainingSnapshot end = await(s -> s.event() == TrainingSnapshot.Event.EPOCH_END);
        assertEquals(2, end.epoch());
        assertEquals(end.batchesPerEpoch(), end.iteration());
        Thread.sleep(100);
        assertEquals(end.iteration(), snapshots.get(snapshots.size() - 1).iteration(), "paused after the epoch");
    }

    @Test
    void snapshotsAreRateLimitedWhileTrainingRunsFast() throws InterruptedException {
        open(0.1);
        trainer.start();
        await(s -> s.event() == TrainingSnapshot.Event.STARTED);
        int before = snapshots.size();
        Thread.sleep(1000);
        int published = snapshots.size() - before;
        trainer.pause();
        TrainingSnapshot paused = await(s -> s.event() == TrainingSnapshot.Event.PAUSED);
        assertFalse(paused.running());
        int epochEnds = (int) snapshots.stream().filter(s -> s.event() == TrainingSnapshot.Event.EPOCH_END).count();
        assertTrue(paused.iteration() > 100, "a tiny model trains many iterations a second: " + paused.iteration());
        assertTrue(published - epochEnds <= 40, published + " routine snapshots in one second");
    }

    @Test
    void learningRateAndResetCommands() throws InterruptedException {
        open(0.1);
        trainer.setLearningRate(0.05);
        trainer.stepIteration();
        assertEquals(0.05, await(s -> s.iteration() == 1).learningRate());
        trainer.reset();
        TrainingSnapshot reset = await(s -> s.event() == TrainingSnapshot.Event.RESET);
        assertEquals(0, reset.iteration());
        assertEquals(1, reset.epoch());
    }

    @Test
    void divergencePausesAndKeepsFiniteWeights() throws InterruptedException {
        open(1e300);
        trainer.start();
        TrainingSnapshot diverged = await(s -> s.event() == TrainingSnapshot.Event.DIVERGED);
        assertFalse(diverged.running());
        assertTrue(diverged.weights().allFinite());
        assertTrue(diverged.message() != null && !diverged.message().isBlank());
    }
}
