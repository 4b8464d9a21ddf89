package org.stepwise.train;

import java.io.IOException;
import java.nio.file.Path;

import org.stepwise.model.ModelConfig;
import org.stepwise.tokenizer.Tokenizer;

/**
 * Everything needed to close a training run and continue it later with identical losses: the model's config
 * and tokenizer, the corpus as a {@link Dataset}, the settings, the loop's whole state (weights, optimizer
 * state, counters, data order) and the loss history. Immutable by convention: nothing here is modified after
 * capture. {@link TrainingSessionFiles} saves and opens it.
 *
 * @param name        a name for the run, e.g. the session folder's name
 * @param config      the model's architecture
 * @param tokenizer   turns the corpus into the ids of {@code data}
 * @param data        the corpus as ids, cut into samples, and its validation split
 * @param settings    the settings in force
 * @param state       the loop's state; see {@link TrainingLoop#captureState()}
 * @param lossHistory every loss point so far
 */
public record TrainingSession(String name, ModelConfig config, Tokenizer tokenizer, Dataset data,
        TrainingSettings settings, TrainingLoop.State state, LossHistory lossHistory) implements SavedTraining {

    public TrainingSession {
        if (name == null || config == null || tokenizer == null || data == null || settings == null || state == null
                || lossHistory == null) {
            throw new IllegalArgumentException("a training session needs its name, config, tokenizer, data, settings, "
                    + "state and loss history");
        }
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model's vocabulary has " + config.vocabSize());
        }
    }

    /**
     * Copies the state of {@code loop} (Not modified); call it on the thread that runs the loop.
     *
     * @param lossHistory Not modified
     */
    public static TrainingSession capture(String name, TrainingLoop loop, Tokenizer tokenizer, LossHistory lossHistory) {
        return new TrainingSession(name, loop.config(), tokenizer, loop.data(), loop.settings(), loop.captureState(),
                lossHistory);
    }

    /** A new loop that continues this session exactly. */
    @Override
    public TrainingLoop toLoop() {
        return TrainingLoop.resume(config, data, settings, state);
    }

    @Override
    public TrainingSession withName(String newName) {
        return new TrainingSession(newName, config, tokenizer, data, settings, state, lossHistory);
    }

    /** Writes this session with {@link TrainingSessionFiles#save}. */
    @Override
    public void save(Path dir) throws IOException {
        TrainingSessionFiles.save(dir, this);
    }
}
