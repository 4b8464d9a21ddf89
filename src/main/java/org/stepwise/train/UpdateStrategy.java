package org.stepwise.train;

/** When the weights change: the three strategies of the article, one setting of the same training loop. */
public enum UpdateStrategy {
    /** After every sample: each sample's gradient is applied on its own. */
    PER_SAMPLE,
    /** After every mini-batch: the mean of the batch's gradients (the usual choice). */
    PER_BATCH,
    /** After the whole epoch: the mean of every sample's gradient, one update per epoch. */
    PER_EPOCH
}
