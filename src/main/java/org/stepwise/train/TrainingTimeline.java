package org.stepwise.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.stepwise.model.Parameters;

/**
 * The history of a run for a scrubber: copies of the weights every N iterations, memory-bounded, and every
 * loss point. When the kept snapshots reach the capacity, every other one is dropped and N doubles, so the
 * snapshots always span the whole run evenly and never take more than capacity × the model's size.
 *
 * <p>One thread writes (the trainer's), any number read (a UI). Every method is synchronized; what a reader
 * gets is either immutable or a copy.
 */
public final class TrainingTimeline {

    /** A kept moment: the weights after {@code iteration} iterations. */
    public record Moment(long iteration, int epoch, double trainLoss, Parameters weights) {
    }

    /** Snapshots kept at most, unless another capacity is given. */
    public static final int DEFAULT_CAPACITY = 64;
    /** Iterations between snapshots at the start, unless another interval is given. */
    public static final int DEFAULT_INTERVAL = 10;

    private final int capacity;
    private final int initialInterval;
    private long interval;
    private final List<Moment> moments = new ArrayList<>();
    private long[] trainIterations = new long[1024];
    private double[] trainLosses = new double[1024];
    private int trainCount;
    private long[] validationIterations = new long[64];
    private double[] validationLosses = new double[64];
    private int validationCount;

    public TrainingTimeline() {
        this(DEFAULT_CAPACITY, DEFAULT_INTERVAL);
    }

    /**
     * @param capacity        snapshots kept at most; an even number ≥ 2
     * @param initialInterval iterations between snapshots until the first thinning; ≥ 1
     */
    public TrainingTimeline(int capacity, int initialInterval) {
        if (capacity < 2 || capacity % 2 != 0) {
            throw new IllegalArgumentException("the timeline keeps an even number of at least 2 snapshots, not " + capacity);
        }
        if (initialInterval < 1) {
            throw new IllegalArgumentException("snapshots are at least 1 iteration apart, not " + initialInterval);
        }
        this.capacity = capacity;
        this.initialInterval = initialInterval;
        this.interval = initialInterval;
    }

    /**
     * Records the state after an iteration: the loss points, and a copy of the weights when a snapshot is due
     * (the first one always, then every {@link #interval()} iterations). Called by the writer thread only.
     * With both losses NaN only a snapshot may be taken, e.g. of the starting weights of a resumed run.
     *
     * @param validationLoss NaN when no validation was evaluated at this iteration
     * @param weights        the live weights; Not modified (copied only when a snapshot is due)
     */
    public void record(long iteration, int epoch, double trainLoss, double validationLoss, Parameters weights) {
        boolean due;
        synchronized (this) {
            boolean addsPoints = !Double.isNaN(trainLoss) || !Double.isNaN(validationLoss);
            if (addsPoints && trainCount > 0 && iteration <= trainIterations[trainCount - 1]) {
                throw new IllegalArgumentException("iteration " + iteration + " comes after "
                        + trainIterations[trainCount - 1] + "; clear the timeline when the run starts over");
            }
            if (!Double.isNaN(trainLoss)) {
                addTrainPoint(iteration, trainLoss);
            }
            if (!Double.isNaN(validationLoss)) {
                addValidationPoint(iteration, validationLoss);
            }
            due = moments.isEmpty()
                    || (iteration % interval == 0 && iteration > moments.get(moments.size() - 1).iteration());
        }
        if (due) {
            Parameters copy = weights.copy();
            synchronized (this) {
                addMoment(new Moment(iteration, epoch, trainLoss, copy));
            }
        }
    }

    private void addMoment(Moment moment) {
        if (moments.size() == capacity) {
            for (int i = 1, kept = 1; i < capacity; i++) {
                if (i % 2 == 0) {
                    moments.set(kept++, moments.get(i));
                }
            }
            moments.subList(capacity / 2, capacity).clear();
            interval *= 2;
            if (moment.iteration() % interval != 0) {
                return;
            }
        }
        moments.add(moment);
    }

    private void addTrainPoint(long iteration, double loss) {
        if (trainCount == trainLosses.length) {
            trainIterations = Arrays.copyOf(trainIterations, trainCount * 2);
            trainLosses = Arrays.copyOf(trainLosses, trainCount * 2);
        }
        trainIterations[trainCount] = iteration;
        trainLosses[trainCount++] = loss;
    }

    private void addValidationPoint(long iteration, double loss) {
        if (validationCount == validationLosses.length) {
            validationIterations = Arrays.copyOf(validationIterations, validationCount * 2);
            validationLosses = Arrays.copyOf(validationLosses, validationCount * 2);
        }
        validationIterations[validationCount] = iteration;
        validationLosses[validationCount++] = loss;
    }

    /** Forgets everything (a reset starts a new run). */
    public synchronized void clear() {
        moments.clear();
        trainCount = 0;
        validationCount = 0;
        interval = initialInterval;
    }

    /** Replaces the loss points with {@code history} (Not modified), e.g. those of a reopened session. */
    public synchronized void restoreLossHistory(LossHistory history) {
        trainCount = 0;
        validationCount = 0;
        for (int i = 0; i < history.trainCount(); i++) {
            addTrainPoint(history.trainIterations()[i], history.trainLosses()[i]);
        }
        for (int i = 0; i < history.validationCount(); i++) {
            addValidationPoint(history.validationIterations()[i], history.validationLosses()[i]);
        }
    }

    /** Iterations between snapshots now. */
    public synchronized long interval() {
        return interval;
    }

    public int capacity() {
        return capacity;
    }

    /** The kept snapshots, oldest first (a copy of the list; the moments themselves are immutable). */
    public synchronized List<Moment> moments() {
        return List.copyOf(moments);
    }

    /** The kept snapshot nearest {@code iteration} (the earlier one on a tie); null when none is kept yet. */
    public synchronized Moment nearest(long iteration) {
        if (moments.isEmpty()) {
            return null;
        }
        int low = 0;
        int high = moments.size() - 1;
        while (low < high) {                 // first moment at or after the iteration
            int middle = (low + high) >>> 1;
            if (moments.get(middle).iteration() < iteration) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        Moment after = moments.get(low);
        if (low == 0 || after.iteration() < iteration) {
            return after;
        }
        Moment before = moments.get(low - 1);
        return iteration - before.iteration() <= after.iteration() - iteration ? before : after;
    }

    /** Every loss point so far, copied. */
    public synchronized LossHistory lossHistory() {
        return lossHistorySince(0, 0);
    }

    /** The loss points from train point {@code trainFrom} and validation point {@code validationFrom} on, copied. */
    public synchronized LossHistory lossHistorySince(int trainFrom, int validationFrom) {
        int train = Math.min(Math.max(trainFrom, 0), trainCount);
        int validation = Math.min(Math.max(validationFrom, 0), validationCount);
        return new LossHistory(Arrays.copyOfRange(trainIterations, train, trainCount),
                Arrays.copyOfRange(trainLosses, train, trainCount),
                Arrays.copyOfRange(validationIterations, validation, validationCount),
                Arrays.copyOfRange(validationLosses, validation, validationCount));
    }

    public synchronized int trainPointCount() {
        return trainCount;
    }

    public synchronized int validationPointCount() {
        return validationCount;
    }
}
