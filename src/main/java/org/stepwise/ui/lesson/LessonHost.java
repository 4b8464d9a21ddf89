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

    /**
     * Shows a stage of the translation model's encoder ({@code encoder} true) or of the model on screen.
     *
     * @throws IllegalArgumentException for an encoder stage when the host has no translation model
     */
    default void goToStage(Stage.Kind kind, int block, int head, boolean encoder) {
        if (encoder) {
            throw new IllegalArgumentException("this window has no translation model, so no encoder stages");
        }
        goToStage(kind, block, head);
    }

    /** Shows the bundled English→Chinese translation model ({@code @model translation}) in place of the visualizer. */
    default void useTranslationModel() {
        throw new IllegalArgumentException("this window cannot show the translation model");
    }

    /** Sets the target the translation model's decoder reads after its start token. */
    default void setTarget(String text) {
        throw new IllegalArgumentException("this window cannot show the translation model");
    }

    /** Lets the translation model write on from its target until it ends the sentence. */
    default void translate() {
        throw new IllegalArgumentException("this window cannot show the translation model");
    }

    /**
     * Puts back the model a step starts from, before its own actions run: {@code model} is the last
     * {@code @model} directive of the steps before it ({@link Directive.UseModel} or {@link Directive.UseTranslation}),
     * null when they have none. A host that already shows that model leaves it as it is (its weights and training
     * stay); with null it leaves the translation model for the visualizer and keeps the visualizer's model.
     */
    default void restoreModel(Directive model) {
        if (model instanceof Directive.UseModel use) {
            useModel(use);
        } else if (model instanceof Directive.UseTranslation) {
            useTranslationModel();
        }
    }

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

    /**
     * The translation model's source tokens, as the window writes them: the columns of its cross-attention and the
     * rows of its encoder (empty when no translation model is traced).
     */
    default java.util.List<String> sourceTokenTexts() {
        return java.util.List.of();
    }
}
