package org.stepwise.train;

import java.io.IOException;
import java.nio.file.Path;

import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedEncoderDecoder;

/**
 * Everything needed to close the training of a translation (encoder-decoder) model and continue it later with
 * identical losses: the model (architecture, both tokenizers, and as weights those of {@code state}), the sentence
 * pairs it trains on and the held-back pairs of its validation loss, the settings, the loop's whole state and the
 * loss history. Immutable by convention. {@link TranslationSessionFiles} saves and opens it.
 *
 * @param name        a name for the run, e.g. the session folder's name
 * @param model       the model; its parameters are {@code state.weights()}
 * @param train       the pairs trained on, as text, before any lowercasing the model asks for
 * @param test        the held-back pairs, as text
 * @param settings    the settings in force
 * @param state       the loop's state; see {@link TranslationLoop#captureState()}
 * @param lossHistory every loss point so far
 */
public record TranslationSession(String name, LoadedEncoderDecoder model, ParallelCorpus train, ParallelCorpus test,
        TrainingSettings settings, TrainingLoop.State state, LossHistory lossHistory) implements SavedTraining {

    public TranslationSession {
        if (name == null || model == null || train == null || test == null || settings == null || state == null
                || lossHistory == null) {
            throw new IllegalArgumentException("a translation session needs its name, model, training and held-back "
                    + "pairs, settings, state and loss history");
        }
        if (model.parameters() != state.weights()) {
            throw new IllegalArgumentException("the session's model must carry the weights of its state");
        }
        ParameterLayout.of(model.config()).check(state.weights());
    }

    /** A new loop that continues this session exactly. */
    @Override
    public TranslationLoop toLoop() {
        return TranslationLoop.resume(this);
    }

    @Override
    public TranslationSession withName(String newName) {
        return new TranslationSession(newName, model, train, test, settings, state, lossHistory);
    }

    /** Writes this session with {@link TranslationSessionFiles#save}. */
    @Override
    public void save(Path dir) throws IOException {
        TranslationSessionFiles.save(dir, this);
    }
}
