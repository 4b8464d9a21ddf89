package org.stepwise.ui.lesson;

import org.stepwise.lesson.Directive;
import org.stepwise.lesson.QuestionContext;
import org.stepwise.pipeline.Stage;

/**
 * What a lesson may do to the app: the actions of the lesson directives, with 0-based block, head and
 * token numbers. Every method is called on the FX thread and throws IllegalArgumentException for a
 * stage, token, option or panel the app does not have.
 */
public interface LessonHost {

    /** Replaces the sentence on screen; the trace is recomputed. */
    void setSentence(String text);

    /**
     * Shows a stage.
     *
     * @param kind  the stage kind
     * @param block the 0-based block for in-block kinds, −1 otherwise
     * @param head  the 0-based head to show, −1 to keep the current one
     */
    void goToStage(Stage.Kind kind, int block, int head);

    /** Selects a 0-based token position, −1 for none. */
    void selectToken(int position);

    /** Changes the sampling settings; a null argument keeps that setting. */
    void setSampling(Double temperature, Integer topK, Double topP);

    /**
     * Shows the bundled model ({@code @model default}) or a fresh randomly initialised copy of its config
     * with the directive's options changed ({@code @model variant ...}).
     */
    void useModel(Directive.UseModel model);

    /** A training command: start, pause, step, epoch or reset. */
    void train(String command);

    /** A training setting: lr, batch, optimizer, strategy or speed. */
    void setTraining(String key, String value);

    /** Draws the eye to a part of the window (sentence, pipeline, stage, explanation, dashboard, ...). */
    void highlight(String panel);

    /** Opens a side view: parameter-count, all-heads or gqa-conversion. */
    void openPanel(String panel);

    /**
     * Runs {@code next} once the app shows the result of every change asked so far (a new sentence or
     * model is traced on a background thread): at once when nothing is pending.
     */
    void whenSettled(Runnable next);

    /**
     * Why the last change that finished in the background failed (e.g. a model variant whose tokenizer
     * could not be trained), or null; reading it clears it.
     */
    default String takeFailure() {
        return null;
    }

    /** The live state a question's expected answer is computed from, as the app shows it now. */
    QuestionContext questionContext();

    /** The tokens of the sentence on screen, as the window writes them (empty while none is traced). */
    java.util.List<String> tokenTexts();
}
