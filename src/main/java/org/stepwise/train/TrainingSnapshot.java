package org.stepwise.train;

import org.stepwise.model.Parameters;

/**
 * An immutable picture of training at one moment, as the trainer publishes it: the counters the article
 * defines, the losses, the rate, the speed, a copy of the weights, what the last update changed and the
 * batch it was computed on.
 *
 * @param iteration           batches trained so far (one iteration = one batch)
 * @param epoch               the epoch in progress, from 1
 * @param batchInEpoch        batches of this epoch already trained
 * @param batchesPerEpoch     batches in this epoch
 * @param samplesInEpoch      training samples of this epoch already trained on
 * @param trainSamples        training samples in one epoch
 * @param samplesSeen         training samples processed so far
 * @param updates             changes of the weights so far (depends on the update strategy)
 * @param trainLoss           mean cross-entropy of the last batch (NaN before the first)
 * @param validationLoss      mean cross-entropy on the held-out samples at the last evaluation (NaN if none yet)
 * @param validationIteration the iteration of that evaluation (−1 if none yet)
 * @param learningRate        the rate of the last update
 * @param tokensPerSecond     training throughput measured on the trainer's thread over the last second or so
 * @param gradientNorm        global norm of the last update's gradient before clipping (NaN before the first)
 * @param running             true while training runs on its own, false when paused
 * @param speed               the speed limit in force
 * @param settings            the settings in force
 * @param event               what just happened, if anything worth telling
 * @param messageKey          bundle key of the message for this event ({@code train.…}), or null
 * @param message             details of the event in English (for a divergence: what was not finite), or null
 * @param divergence          for {@link Event#DIVERGED}: the key, the rate that diverged and a smaller one; else null
 * @param weights             a copy of the weights; never modified after publication
 * @param lastUpdate          what the last update changed (ΔW, rows moved); its "after" is {@code weights}
 * @param batch               the batch of the last iteration: input ids [B, T], targets, sample indices
 * @param batchPairs          for a translation model, the sentence pairs of the last iteration (source → target);
 *                            empty for a text model
 */
public record TrainingSnapshot(long iteration, int epoch, int batchInEpoch, int batchesPerEpoch, int samplesInEpoch,
        int trainSamples, long samplesSeen, long updates, double trainLoss, double validationLoss,
        long validationIteration, double learningRate, double tokensPerSecond, double gradientNorm, boolean running,
        TrainingSpeed speed, TrainingSettings settings, Event event, String messageKey, String message,
        TrainingLoop.Divergence divergence, Parameters weights, WeightChange lastUpdate, BatchView batch,
        java.util.List<ParallelCorpus.Pair> batchPairs) {

    /** Noteworthy moments. */
    public enum Event {
        NONE,
        /** An epoch just ended; the next one sees the samples in a new shuffled order. */
        EPOCH_END,
        /** The loss or a gradient was not finite, or the loss exploded: training paused, the last good state is back. */
        DIVERGED,
        /** The weights were reset to their seeded initial values. */
        RESET,
        PAUSED,
        STARTED,
        /** A setting changed between two iterations. */
        SETTINGS_CHANGED,
        /** A requested setting could not be applied; the message says why. */
        SETTINGS_REJECTED,
        /** The speed limit changed. */
        SPEED_CHANGED,
        /** An unexpected error stopped training; the message names it, the trainer waits for commands. */
        FAILED
    }

    /** e^(train loss): the number of tokens the model hesitates between, on average. */
    public double perplexity() {
        return Math.exp(trainLoss);
    }

    /** e^(validation loss). */
    public double validationPerplexity() {
        return Math.exp(validationLoss);
    }
}
