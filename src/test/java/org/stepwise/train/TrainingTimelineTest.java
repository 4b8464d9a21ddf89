package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;

/** The timeline: thinning to a memory bound, nearest lookup, the loss history, one writer and many readers. */
class TrainingTimelineTest {

    private static final Parameters WEIGHTS = ParameterLayout.of(ModelConfig.gpt2Like(12, 8, 1, 2, 8)).initialize(1);

    /** Weights whose first value says the iteration they belong to. */
    private static Parameters weightsAt(long iteration) {
        WEIGHTS.get("wte.weight").data[0] = iteration;
        return WEIGHTS;
    }

    @Test
    void fullTimelineDropsEveryOtherSnapshotAndDoublesTheInterval() {
        TrainingTimeline timeline = new TrainingTimeline(8, 5);
        for (long iteration = 0; iteration <= 200; iteration++) {
            timeline.record(iteration, 1, 1.0 / (iteration + 1), iteration % 25 == 0 ? 2.0 : Double.NaN,
                    weightsAt(iteration));
            assertTrue(timeline.moments().size() <= 8);
        }
        // 5 → 10 at 40, → 20 at 80, → 40 at 160: snapshots at 0, 40, …, 200.
        assertEquals(40, timeline.interval());
        List<TrainingTimeline.Moment> moments = timeline.moments();
        long[] kept = moments.stream().mapToLong(TrainingTimeline.Moment::iteration).toArray();
        assertArrayEquals(new long[] {0, 40, 80, 120, 160, 200}, kept);
        for (TrainingTimeline.Moment moment : moments) {
            assertEquals(moment.iteration(), moment.weights().get("wte.weight").data[0], "a copy taken at its iteration");
            assertEquals(1.0 / (moment.iteration() + 1), moment.trainLoss());
        }
    }

    @Test
    void nearestSnapshot() {
        TrainingTimeline timeline = new TrainingTimeline();
        assertNull(timeline.nearest(3));
        for (long iteration = 0; iteration <= 35; iteration++) {
            timeline.record(iteration, 1, 1.0, Double.NaN, weightsAt(iteration));
        }
        assertEquals(0, timeline.nearest(-7).iteration());
        assertEquals(0, timeline.nearest(4).iteration());
        assertEquals(0, timeline.nearest(5).iteration());   // a tie goes to the earlier snapshot
        assertEquals(10, timeline.nearest(6).iteration());
        assertEquals(30, timeline.nearest(34).iteration());
        assertEquals(30, timeline.nearest(1000).iteration());
    }

    @Test
    void lossHistoryKeepsEveryPointAndReadsIncrementally() {
        TrainingTimeline timeline = new TrainingTimeline();
        for (long iteration = 1; iteration <= 3000; iteration++) {
            timeline.record(iteration, 1, Math.log(iteration + 1), iteration % 100 == 0 ? iteration : Double.NaN,
                    weightsAt(iteration));
        }
        LossHistory all = timeline.lossHistory();
        assertEquals(3000, all.trainCount());
        assertEquals(30, all.validationCount());
        assertEquals(Math.log(1501), all.trainLosses()[1499]);
        assertEquals(1500, all.trainIterations()[1499]);
        LossHistory tail = timeline.lossHistorySince(2990, 29);
        assertEquals(10, tail.trainCount());
        assertEquals(2991, tail.trainIterations()[0]);
        assertEquals(3000.0, tail.validationLosses()[0]);
        assertThrows(IllegalArgumentException.class, () -> timeline.record(3000, 1, 1.0, Double.NaN, WEIGHTS));
        timeline.clear();
        assertEquals(0, timeline.trainPointCount());
        timeline.restoreLossHistory(all);
        assertEquals(all, timeline.lossHistory());
    }

    @Test
    void readersSeeAConsistentTimelineWhileTheWriterRecords() throws InterruptedException {
        TrainingTimeline timeline = new TrainingTimeline(16, 1);
        Parameters weights = WEIGHTS.copy();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            for (long iteration = 0; iteration < 20_000; iteration++) {
                timeline.record(iteration, 1, iteration, Double.NaN, weights);
            }
        });
        Thread reader = new Thread(() -> {
            try {
                while (writer.isAlive()) {
                    LossHistory history = timeline.lossHistory();
                    for (int i = 0; i < history.trainCount(); i++) {
                        if (history.trainLosses()[i] != history.trainIterations()[i]) {
                            throw new AssertionError("point " + i + " is torn");
                        }
                    }
                    List<TrainingTimeline.Moment> moments = timeline.moments();
                    if (moments.size() > 16) {
                        throw new AssertionError(moments.size() + " snapshots kept");
                    }
                    // The weights are copied outside the lock, so the very first loss point can be
                    // visible a moment before the first snapshot; once a snapshot exists, one always does.
                    TrainingTimeline.Moment nearest = timeline.nearest(history.trainCount() / 2);
                    if (!moments.isEmpty() && nearest == null) {
                        throw new AssertionError("no snapshot near the middle");
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        reader.start();
        writer.join();
        reader.join();
        assertNull(failure.get());
        assertEquals(20_000, timeline.trainPointCount());
        assertTrue(timeline.moments().size() <= 16);
    }
}
