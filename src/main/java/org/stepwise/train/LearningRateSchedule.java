package org.stepwise.train;

/** The learning rate of each update: constant, or a linear warmup followed by a cosine decay. */
public record LearningRateSchedule(Kind kind, int warmupSteps, int totalSteps, double minFraction) {

    /** Which schedule. */
    public enum Kind { CONSTANT, WARMUP_COSINE }

    public LearningRateSchedule {
        if (warmupSteps < 0 || totalSteps < 0 || !(minFraction >= 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("warmup and total steps must be ≥ 0 and the minimum fraction in [0, 1]");
        }
    }

    public static LearningRateSchedule constant() {
        return new LearningRateSchedule(Kind.CONSTANT, 0, 0, 1);
    }

    /** Linear warmup over {@code warmup} updates, then cosine down to 10% of the peak at {@code total}. */
    public static LearningRateSchedule warmupCosine(int warmup, int total) {
        return new LearningRateSchedule(Kind.WARMUP_COSINE, warmup, total, 0.1);
    }

    /** The rate of update number {@code step} (0-based) for a peak rate {@code peak}. */
    public double rate(double peak, long step) {
        if (kind == Kind.CONSTANT) {
            return peak;
        }
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (step >= totalSteps) {
            return peak * minFraction;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return peak * (minFraction + (1 - minFraction) * cosine);
    }
}
