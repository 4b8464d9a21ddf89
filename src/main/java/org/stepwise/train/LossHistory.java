package org.stepwise.train;

import java.util.Arrays;

/**
 * Loss points of a run, as plain arrays: the train loss of every iteration and the validation loss of every
 * evaluation, each with the iteration it belongs to. Immutable: the arrays are owned by this record.
 *
 * @param trainIterations      iteration of each train loss, ascending
 * @param trainLosses          mean cross-entropy of that iteration's batch
 * @param validationIterations iteration of each validation loss, ascending
 * @param validationLosses     mean cross-entropy on the validation samples after that iteration
 */
public record LossHistory(long[] trainIterations, double[] trainLosses, long[] validationIterations,
        double[] validationLosses) {

    public LossHistory {
        if (trainIterations.length != trainLosses.length || validationIterations.length != validationLosses.length) {
            throw new IllegalArgumentException("a loss history needs one iteration per loss: " + trainIterations.length
                    + " vs " + trainLosses.length + " train, " + validationIterations.length + " vs "
                    + validationLosses.length + " validation");
        }
        checkAscending(trainIterations, "train");
        checkAscending(validationIterations, "validation");
    }

    private static void checkAscending(long[] iterations, String kind) {
        for (int i = 1; i < iterations.length; i++) {
            if (iterations[i] <= iterations[i - 1]) {
                throw new IllegalArgumentException("the " + kind + " loss iterations must rise: " + iterations[i - 1]
                        + " is followed by " + iterations[i]);
            }
        }
    }

    /** No points. */
    public static LossHistory empty() {
        return new LossHistory(new long[0], new double[0], new long[0], new double[0]);
    }

    public int trainCount() {
        return trainLosses.length;
    }

    public int validationCount() {
        return validationLosses.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LossHistory that && Arrays.equals(trainIterations, that.trainIterations)
                && Arrays.equals(trainLosses, that.trainLosses) && Arrays.equals(validationIterations, that.validationIterations)
                && Arrays.equals(validationLosses, that.validationLosses);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(trainLosses) * 31 + Arrays.hashCode(validationLosses);
    }

    @Override
    public String toString() {
        return "LossHistory[" + trainCount() + " train, " + validationCount() + " validation points]";
    }
}
