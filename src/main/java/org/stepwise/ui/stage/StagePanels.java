package org.stepwise.ui.stage;

import java.util.Optional;

import org.stepwise.pipeline.Stage;

/**
 * The panels drawn specially for a kind of stage (tokens, embedding, output, ...). Kinds without one
 * are drawn by the window's general tensor panel: inputs, operation and outputs as heatmaps.
 */
public final class StagePanels {

    private StagePanels() {
    }

    /** A new special panel for {@code kind}, or empty when the general tensor panel draws it. */
    public static Optional<StagePanel> special(Stage.Kind kind) {
        return Optional.empty();
    }
}
