package org.stepwise.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A training run copied between two iterations, to save into a folder and continue later with identical losses:
 * a text model's {@link TrainingSession} or a translation model's {@link TranslationSession}. The autosave, the
 * dashboard's Save and Open, and the "save before closing" question handle both through this type.
 */
public sealed interface SavedTraining permits TrainingSession, TranslationSession {

    /** A name for the run, e.g. the session folder's name. */
    String name();

    /** The settings in force when the run was copied. */
    TrainingSettings settings();

    /** The loop's whole state: weights, optimizer state, counters, data order. */
    TrainingLoop.State state();

    /** Every loss point so far. */
    LossHistory lossHistory();

    /** A new loop that continues this run exactly. */
    TrainableLoop toLoop();

    /** The same run under another name. */
    SavedTraining withName(String newName);

    /** Writes this run (Not modified) into {@code dir} (created if needed), every file atomically. */
    void save(Path dir) throws IOException;

    /**
     * Opens the run saved in {@code dir}: a translation session when the folder holds an encoder-decoder model, a
     * text model's session otherwise.
     */
    static SavedTraining open(Path dir) throws IOException {
        return TranslationSessionFiles.holdsTranslation(dir) ? TranslationSessionFiles.load(dir)
                : TrainingSessionFiles.load(dir);
    }
}
