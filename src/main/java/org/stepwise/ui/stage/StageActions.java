package org.stepwise.ui.stage;

import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;

/** What a stage panel may ask the window to do. All methods are called on the FX thread. */
public interface StageActions {

    /** Appends a token to the sentence (generation one token at a time) and recomputes the trace. */
    void appendToken(int id);

    /** Moves to another stage, e.g. from the all-heads overview to one head's pattern. */
    void openStage(Stage stage, int head);

    /** Selects a token position (−1 for none); every view highlights its row. */
    void selectToken(int position);

    /** Changes temperature, top-k or top-p of the output stages. */
    void setSampling(SamplingSettings sampling);

    /**
     * Shows how the hovered or pinned number was computed in the window's explanation line; {@code ""}
     * clears the line (the window then shows its hint).
     *
     * @throws IllegalArgumentException when {@code text} is null
     */
    void showExplanation(String text);

    /**
     * Whether {@code context} is the one on screen now. A panel that was shown before and is now hidden
     * (another stage is on screen) holds an older context and writes no explanation.
     */
    default boolean isOnScreen(StageContext context) {
        return true;
    }
}
