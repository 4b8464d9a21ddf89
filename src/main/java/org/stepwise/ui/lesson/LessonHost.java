package org.stepwise.ui.lesson;

import java.util.Map;

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

    /** Shows the bundled model again. */
    void useDefaultModel();

    /**
     * Shows a fresh randomly initialised copy of the bundled model's config with options changed (keys
     * of the lesson format: norm, positional, kv-heads, activation, experts, top-k, tied, tokenizer, seed).
     */
    void useModelVariant(Map<String, String> options);

    /** A training command: start, pause, step, epoch or reset. */
    void train(String command);

    /** A training setting: lr, batch, optimizer, strategy or speed. */
    void setTraining(String key, String value);

    /** Draws the eye to a part of the window (sentence, pipeline, stage, explanation, dashboard, ...). */
    void highlight(String panel);

    /** Opens a side view: parameter-count or all-heads. */
    void openPanel(String panel);
}
