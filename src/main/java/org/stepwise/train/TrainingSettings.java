package org.stepwise.train;

/**
 * How to train: batch size, optimizer, learning rate and its schedule, clipping, update strategy, seed.
 */
public record TrainingSettings(
        int batchSize,                 // samples per mini-batch
        double learningRate,           // peak learning rate
        Optimizer.Kind optimizer,
        double weightDecay,            // AdamW's decoupled decay λ (ignored by SGD)
        LearningRateSchedule schedule,
        double gradientClip,           // largest global gradient norm; 0 = no clipping
        UpdateStrategy strategy,
        long seed,                     // seeds the weights and the shuffle of every epoch
        double validationFraction,     // share of samples kept for validation
        int validationEvery,           // iterations between validation losses; 0 = only at the end of an epoch
        int validationBatches) {       // at most this many batches of validation samples per evaluation

    public TrainingSettings {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        if (!(weightDecay >= 0) || !(gradientClip >= 0)) {
            throw new IllegalArgumentException("weight decay and gradient clip must be ≥ 0");
        }
        if (optimizer == null || schedule == null || strategy == null) {
            throw new IllegalArgumentException("optimizer, schedule and strategy are required");
        }
        if (validationEvery < 0 || validationBatches < 1) {
            throw new IllegalArgumentException("validationEvery must be ≥ 0 and validationBatches ≥ 1");
        }
    }

    /** AdamW at 3e-3, batches of 16, per-batch updates, clipping at 1, 10% validation. */
    public static TrainingSettings defaults() {
        return new TrainingSettings(16, 3e-3, Optimizer.Kind.ADAMW, 0.01, LearningRateSchedule.constant(), 1.0,
                UpdateStrategy.PER_BATCH, 1, 0.1, 50, 4);
    }

    public TrainingSettings withLearningRate(double rate) {
        return new TrainingSettings(batchSize, rate, optimizer, weightDecay, schedule, gradientClip, strategy, seed,
                validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withSeed(long newSeed) {
        return new TrainingSettings(batchSize, learningRate, optimizer, weightDecay, schedule, gradientClip, strategy,
                newSeed, validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withStrategy(UpdateStrategy newStrategy) {
        return new TrainingSettings(batchSize, learningRate, optimizer, weightDecay, schedule, gradientClip,
                newStrategy, seed, validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withOptimizer(Optimizer.Kind kind, int batch) {
        return new TrainingSettings(batch, learningRate, kind, weightDecay, schedule, gradientClip, strategy, seed,
                validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withSchedule(LearningRateSchedule newSchedule) {
        return new TrainingSettings(batchSize, learningRate, optimizer, weightDecay, newSchedule, gradientClip,
                strategy, seed, validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withBatchSize(int newBatchSize) {
        return new TrainingSettings(newBatchSize, learningRate, optimizer, weightDecay, schedule, gradientClip, strategy,
                seed, validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withOptimizerKind(Optimizer.Kind kind) {
        return new TrainingSettings(batchSize, learningRate, kind, weightDecay, schedule, gradientClip, strategy, seed,
                validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withWeightDecay(double decay) {
        return new TrainingSettings(batchSize, learningRate, optimizer, decay, schedule, gradientClip, strategy, seed,
                validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withGradientClip(double clip) {
        return new TrainingSettings(batchSize, learningRate, optimizer, weightDecay, schedule, clip, strategy, seed,
                validationFraction, validationEvery, validationBatches);
    }

    public TrainingSettings withValidationEvery(int iterations) {
        return new TrainingSettings(batchSize, learningRate, optimizer, weightDecay, schedule, gradientClip, strategy,
                seed, validationFraction, iterations, validationBatches);
    }
}
