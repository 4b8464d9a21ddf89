package org.stepwise.train;

import org.stepwise.model.Parameters;

/**
 * An immutable picture of training at one moment, as the trainer publishes it: the counters the article
 * defines, the losses, the rate, the speed and a copy of the weights.
 *
 * @param iteration        batches trained so far (one iteration = one batch)
 * @param epoch            the epoch in progress, from 1
 * @param batchInEpoch     batches of this epoch already trained
 * @param batchesPerEpoch  batches in one epoch
 * @param samplesSeen      training samples processed so far
 * @param updates          changes of the weights so far (depends on the update strategy)
 * @param trainLoss        mean cross-entropy of the last batch (NaN before the first)
 * @param validationLoss   mean cross-entropy on validation samples at the last evaluation (NaN if none yet)
 * @param learningRate     the rate of the last update
 * @param tokensPerSecond  training throughput over the last second or so
 * @param running          true while training runs on its own, false when paused
 * @param event            what just happened, if anything worth telling
 * @param message          details of the event (for a divergence: what was non-finite and what was restored)
 * @param weights          a copy of the weights; never modified after publication
 */
public record TrainingSnapshot(long iteration, int epoch, int batchInEpoch, int batchesPerEpoch, long samplesSeen,
        long updates, double trainLoss, double validationLoss, double learningRate, double tokensPerSecond,
        boolean running, Event event, String message, Parameters weights) {

    /** Noteworthy moments. */
    public enum Event {
        NONE,
        /** An epoch just ended; the next one sees the samples in a new shuffled order. */
        EPOCH_END,
        /** The loss or a gradient was not finite: training paused and the last good weights were restored. */
        DIVERGED,
        /** The weights were reset to their seeded initial values. */
        RESET,
        PAUSED,
        STARTED
    }
}
