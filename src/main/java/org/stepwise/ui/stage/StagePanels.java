package org.stepwise.ui.stage;

import java.util.Optional;

import javafx.scene.Node;
import javafx.scene.control.ScrollPane;

import org.stepwise.pipeline.Stage;
import org.stepwise.ui.ScrollPanes;

/**
 * The panels drawn specially for a kind of stage (tokens, embedding, output, ...). Kinds without one
 * are drawn by the window's general tensor panel: inputs, operation and outputs as heatmaps.
 *
 * <p>Text and Tokens share the token panel; Token embedding and Position have their own; Softmax of an
 * attention block shows the chosen head's pattern with an "all heads" tab beside it (the small multiples
 * of every head of every block, click to open one); Softmax(T) and Next token share the output panel.
 * The parameter count is not a stage of the forward pass: the window shows {@link #parameterCount()}
 * from a menu or button.
 */
public final class StagePanels {

    /** The look of the stage panels: {@code org/stepwise/ui/stage.css}. */
    static final String STYLESHEET = StagePanels.class.getResource("/org/stepwise/ui/stage.css").toExternalForm();

    private StagePanels() {
    }

    /** A new special panel for {@code kind}, or empty when the general tensor panel draws it. */
    public static Optional<StagePanel> special(Stage.Kind kind) {
        if (kind == null) {
            throw new IllegalArgumentException("a stage kind is required");
        }
        return switch (kind) {
            case TEXT, TOKENS -> Optional.of(new TokensPanel());
            case TOKEN_EMBEDDING -> Optional.of(new EmbeddingPanel());
            case POSITION -> Optional.of(new PositionPanel());
            case ATTENTION_SOFTMAX -> Optional.of(new AttentionPanel());
            case OUTPUT_SOFTMAX, NEXT_TOKEN -> Optional.of(new OutputPanel());
            default -> Optional.empty();
        };
    }

    /** A new panel counting the model's parameters by part; it reads only {@code context.model().config()}. */
    public static StagePanel parameterCount() {
        return new ParameterCountPanel();
    }

    /** {@code content} in a vertical scroll pane that fits its width, with the stage stylesheet. */
    static ScrollPane scrolling(Node content) {
        ScrollPane scroll = ScrollPanes.drawnDirectly(new ScrollPane(content));
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("stage-scroll");
        scroll.getStylesheets().add(STYLESHEET);
        return scroll;
    }
}
