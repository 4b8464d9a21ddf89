package org.stepwise.train;

/**
 * How fast the trainer may go: at full speed, or at most a number of iterations per second (slow motion, so a
 * class can follow single updates).
 *
 * @param maxIterationsPerSecond the limit; {@link Double#POSITIVE_INFINITY} for full speed
 */
public record TrainingSpeed(double maxIterationsPerSecond) {

    /** As fast as the machine allows. */
    public static final TrainingSpeed FULL = new TrainingSpeed(Double.POSITIVE_INFINITY);

    public TrainingSpeed {
        if (!(maxIterationsPerSecond > 0)) {
            throw new IllegalArgumentException("the speed limit must be a positive number of iterations per second, got "
                    + maxIterationsPerSecond);
        }
    }

    /** At most {@code iterations} iterations per second (e.g. 0.5 for one update every two seconds). */
    public static TrainingSpeed atMost(double iterations) {
        return new TrainingSpeed(iterations);
    }

    public boolean isFull() {
        return maxIterationsPerSecond == Double.POSITIVE_INFINITY;
    }

    /** Shortest time from the start of one iteration to the start of the next, in nanoseconds (0 at full speed). */
    public long minimumNanosBetweenIterations() {
        return isFull() ? 0 : (long) Math.ceil(1e9 / maxIterationsPerSecond);
    }
}
