package org.stepwise.ui.stage;

import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.VBox;

import org.stepwise.model.ModelConfig;
import org.stepwise.pipeline.ParameterCount;
import org.stepwise.viz.ProbabilityBars;

/**
 * Where the model's parameters sit: embeddings, attention, feed-forward networks, LayerNorms and the
 * output layer, each as a bar of its share of the total, and the feed-forward share of the blocks' weights
 * (about two thirds in GPT-2) computed from the architecture.
 */
final class ParameterCountPanel implements StagePanel {

    /** How close to 2/3 the FFN share must be for the panel to say "about two thirds". */
    static final double TWO_THIRDS_TOLERANCE = 0.05;

    private final VBox root = new VBox(10);
    private final ScrollPane scroller = StagePanels.scrolling(root);
    private final Label title = new Label();
    private final Label total = new Label();
    private final ProbabilityBars bars = new ProbabilityBars();
    private final Label blockShare = new Label();

    private ParameterCount count;

    ParameterCountPanel() {
        root.getStyleClass().addAll("stage-panel", "stage-parameters");
        root.setId("stage-parameters");
        title.getStyleClass().add("stage-title");
        total.setId("parameters-total");
        total.getStyleClass().add("stage-mono");
        bars.setId("parameters-bars");
        blockShare.setId("parameters-ffn-share");
        blockShare.getStyleClass().add("stage-note");
        blockShare.setWrapText(true);
        root.getChildren().addAll(title, total, bars, blockShare);
    }

    @Override
    public Node node() {
        return scroller;
    }

    @Override
    public void show(StageContext context) {
        ResourceBundle messages = context.messages();
        ModelConfig config = context.model().config();
        count = ParameterCount.of(config);
        NumberFormat numbers = NumberFormat.getIntegerInstance(messages.getLocale());
        title.setText(messages.getString("stage.parameters.title"));
        double all = count.total();
        total.setText(Texts.format(messages, "stage.parameters.total", context.model().name(), numbers.format(count.total())));
        List<ProbabilityBars.Bar> shown = new ArrayList<>();
        long[] parts = {count.tokenEmbedding(), count.positionEmbedding(), count.attention(), count.feedForward(),
                count.norms(), count.outputHead()};
        String[] keys = {"stage.parameters.tokenEmbedding", "stage.parameters.positionEmbedding",
                "stage.parameters.attention", config.isMoe() ? "stage.parameters.experts" : "stage.parameters.feedForward",
                "stage.parameters.norms", "stage.parameters.outputHead"};
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] > 0) {
                shown.add(new ProbabilityBars.Bar(Texts.format(messages, keys[i], numbers.format(parts[i])),
                        parts[i] / all, i == 3));
            }
        }
        bars.setBars(shown);
        double share = count.feedForwardShareOfBlocks();
        String percent = Texts.number(100 * share, 1);
        blockShare.setText(Texts.format(messages, Math.abs(share - 2.0 / 3.0) <= TWO_THIRDS_TOLERANCE
                        ? "stage.parameters.aboutTwoThirds" : "stage.parameters.share",
                numbers.format(count.feedForward()), numbers.format(count.attention()), percent,
                Texts.number(100 * count.feedForwardShareOfTotal(), 1)));
    }

    /** The counts shown, or null before the first {@link #show}. */
    ParameterCount count() {
        return count;
    }
}
