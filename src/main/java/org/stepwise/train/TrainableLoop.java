package org.stepwise.train;

import java.util.List;

import org.stepwise.model.Parameters;
import org.stepwise.tokenizer.Tokenizer;

/**
 * What a {@link Trainer} drives: a deterministic training loop that trains one batch per call, keeps its counters,
 * losses and settings, and can be reset. {@link TrainingLoop} trains a decoder-only model on a text,
 * {@link TranslationLoop} an encoder-decoder model on sentence pairs. Every method is called on the thread that
 * runs the loop.
 */
public interface TrainableLoop {

    /** Trains one batch; see {@link TrainingLoop#stepIteration()} for what a divergence restores. */
    TrainingLoop.Step stepIteration();

    /** New random weights from the seed in force, counters back to zero. */
    void reset();

    /**
     * Changes the settings between two iterations; see {@link TrainingLoop#changeSettings} for what each change
     * keeps.
     *
     * @param next Not modified
     * @throws IllegalArgumentException when this loop cannot take the change; the message says why
     */
    void changeSettings(TrainingSettings next);

    TrainingSettings settings();

    /** The live weights. */
    Parameters weights();

    /** The live weights just before the last update. */
    Parameters weightsBeforeLastUpdate();

    /** Grows by one whenever the weights change, so copies can be reused. */
    long weightsVersion();

    long iteration();

    int epoch();

    int batchInEpoch();

    /** Batches in this epoch at the current batch size. */
    int batchesPerEpoch();

    /** Training samples of this epoch already trained on. */
    int samplesInEpoch();

    /** Training samples in one epoch. */
    int trainSize();

    long samplesSeen();

    long updates();

    double lastLoss();

    /** The validation loss of the last evaluation, NaN if none yet. */
    double lastValidationLoss();

    /** The iteration of the last evaluation, −1 if none yet. */
    long validationIteration();

    /** The rate of the last update. */
    double learningRate();

    /** Global gradient norm of the last update, before clipping; NaN before the first. */
    double lastGradientNorm();

    /** The batch of the last iteration as token ids, as new arrays. */
    BatchView lastBatch();

    /** The sentence pairs of the last iteration for a translation loop, as text; empty for a text loop. */
    default List<ParallelCorpus.Pair> lastBatchPairs() {
        return List.of();
    }

    /**
     * A copy of the whole state, to save and resume.
     *
     * @param lossHistory Not modified
     * @throws UnsupportedOperationException when this loop cannot be saved as a session
     */
    SavedTraining captureSession(String name, Tokenizer tokenizer, LossHistory lossHistory);
}
