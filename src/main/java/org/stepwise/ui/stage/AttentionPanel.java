package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import org.ejml.data.DMatrixRMaj;

import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.pipeline.Stage;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageView;
import org.stepwise.pipeline.TensorRef;
import org.stepwise.pipeline.TensorValues;
import org.stepwise.viz.ColorScale;
import org.stepwise.viz.FormulaView;
import org.stepwise.viz.HeatmapView;

/**
 * The attention Softmax stage. Tab "This head": the masked scores S and the pattern A = softmax(S) of the
 * chosen head; hovering or pinning a cell of S or A explains it in the window's explanation line. Tab
 * "All heads": small multiples of every head's pattern in every block (a click opens that
 * head's Softmax stage), and, drawn below, which query heads share which key/value head.
 *
 * <p>The overview sits here because the pattern is what a head has learned to look at; every thumbnail is
 * the same picture as this stage's A for another block and head.
 */
final class AttentionPanel implements StagePanel {

    /** Largest side of a thumbnail in pixels; smaller when a block has many heads. */
    static final double THUMBNAIL_SIDE = 84;
    /** Colour of the cells the causal mask hides (j > i), not a colour of the scale. */
    private static final int MASKED_ARGB = 0xFFE5E7EB;

    private final TabPane tabs = new TabPane();
    private final Tab headTab = new Tab();
    private final Tab allTab = new Tab();

    private final Label title = new Label();
    private final FormulaView formula = new FormulaView();
    private final Label shapeLine = new Label();
    private final HeatmapView scores = new HeatmapView();
    private final HeatmapView pattern = new HeatmapView();

    private final Label overviewCaption = new Label();
    private final GridPane overview = new GridPane();
    private final Label sharingCaption = new Label();
    private final HeadSharing sharing = new HeadSharing();
    private final List<List<VBox>> thumbnails = new ArrayList<>();

    private final CellExplanations explanations = new CellExplanations();
    /** The tensors {@link #scores} and {@link #pattern} show, whole; null before the first trace. */
    private TensorRef scoresShown;
    private TensorRef patternShown;

    private StageContext context;

    AttentionPanel() {
        title.getStyleClass().add("stage-title");
        formula.setId("attention-formula");
        shapeLine.setId("attention-shape");
        shapeLine.getStyleClass().add("stage-mono");
        scores.setId("attention-scores");
        pattern.setId("attention-pattern");
        pattern.setColorScale(ColorScale.SEQUENTIAL);
        HBox maps = new HBox(12, scores, operator("→"), pattern);
        maps.setAlignment(Pos.CENTER_LEFT);
        VBox head = new VBox(10, title, formula, shapeLine, maps);
        head.getStyleClass().add("stage-panel");
        head.setId("attention-head");
        headTab.setContent(StagePanels.scrolling(head));
        headTab.setId("attention-head-tab");
        headTab.setClosable(false);

        overviewCaption.setId("attention-overview-caption");
        overviewCaption.getStyleClass().add("stage-caption");
        overviewCaption.setWrapText(true);
        overview.setId("attention-overview");
        overview.setHgap(6);
        overview.setVgap(6);
        sharingCaption.setId("attention-sharing-caption");
        sharingCaption.getStyleClass().add("stage-caption");
        sharingCaption.setWrapText(true);
        VBox all = new VBox(10, overviewCaption, overview, sharingCaption, sharing);
        all.getStyleClass().add("stage-panel");
        all.setId("attention-all");
        allTab.setContent(StagePanels.scrolling(all));
        allTab.setId("attention-all-tab");
        allTab.setClosable(false);

        tabs.getTabs().addAll(headTab, allTab);
        tabs.setId("stage-attention");
        tabs.getStylesheets().add(StagePanels.STYLESHEET);
        explanations.attach(scores, cell -> scoresShown == null ? null
                : new CellExplanations.TensorCell(scoresShown, cell.row(), cell.col()));
        explanations.attach(pattern, cell -> patternShown == null ? null
                : new CellExplanations.TensorCell(patternShown, cell.row(), cell.col()));
    }

    private static Label operator(String text) {
        Label label = new Label(text);
        label.getStyleClass().add("stage-operator");
        return label;
    }

    @Override
    public Node node() {
        return tabs;
    }

    @Override
    public void show(StageContext newContext) {
        explanations.show(newContext, () -> draw(newContext));
    }

    private void draw(StageContext newContext) {
        boolean sameRun = context != null && context.run() == newContext.run() && context.messages() == newContext.messages();
        boolean sameHead = sameRun && context.stage().equals(newContext.stage()) && context.head() == newContext.head();
        context = newContext;
        ResourceBundle messages = newContext.messages();
        ModelConfig config = newContext.model().config();
        headTab.setText(messages.getString("stage.attention.thisHead"));
        allTab.setText(messages.getString("stage.attention.allHeads"));
        title.setText(Texts.format(messages, "stage.attention.title", messages.getString(newContext.stage().kind().bundleKey()),
                newContext.stage().block() + 1, newContext.head() + 1, TensorValues.kvHeadOf(config, newContext.head()) + 1));
        sharingCaption.setText(sharingText(config, messages));
        sharing.show(config, newContext.head(), messages);
        if (newContext.run() == null) {
            overview.getChildren().clear();
            thumbnails.clear();
            overviewCaption.setText(messages.getString("pipeline.notice.empty"));
            return;
        }
        int tokens = newContext.run().tokens();
        List<String> labels = Texts.tokens(newContext.model().tokenizer(), newContext.run().ids());
        if (!sameHead) {
            StageView view = StageView.of(config, newContext.stage(), newContext.head(), tokens);
            formula.setLatex(view.latex());
            shapeLine.setText(String.join("   ", view.shapeLines()));
            double cell = Heatmaps.fittingCellSize(tokens, tokens, 360, 360, 4, 40);
            for (StageTensor tensor : view.tensors()) {
                HeatmapView target = tensor.role() == StageTensor.Role.OUTPUT ? pattern : scores;
                if (target == pattern) {
                    patternShown = tensor.ref();
                } else {
                    scoresShown = tensor.ref();
                }
                DMatrixRMaj values = view.values(tensor, newContext.run(), newContext.weights(), config); // [T, T]
                target.setTitle(tensor.letter() + "  " + tensor.shapeText());
                target.setRowLabels(labels);
                target.setColumnLabels(labels);
                target.cellSizeProperty().set(cell);
                Heatmaps.show(target, values);
            }
        }
        scores.highlightedRowProperty().set(newContext.selectedToken());
        pattern.highlightedRowProperty().set(newContext.selectedToken());
        if (!sameRun) {
            buildOverview(config, tokens, messages);
        }
        markCurrentThumbnail();
    }

    private static String sharingText(ModelConfig config, ResourceBundle messages) {
        int heads = config.nHead();
        int kvHeads = config.nKvHead();
        if (kvHeads == heads) {
            return Texts.format(messages, "stage.attention.sharingMha", heads);
        }
        if (kvHeads == 1) {
            return Texts.format(messages, "stage.attention.sharingMqa", heads);
        }
        return Texts.format(messages, "stage.attention.sharingGqa", heads, kvHeads, heads / kvHeads);
    }

    /** One thumbnail per block and head: the pattern A drawn one pixel per cell, enlarged without smoothing. */
    private void buildOverview(ModelConfig config, int tokens, ResourceBundle messages) {
        overview.getChildren().clear();
        thumbnails.clear();
        int heads = config.nHead();
        double side = Math.min(THUMBNAIL_SIDE, Math.max(40, 1100.0 / heads - 8));
        overviewCaption.setText(Texts.format(messages, "stage.attention.overview", config.nLayer(), heads));
        int[] pixels = new int[tokens * tokens];
        for (int head = 0; head < heads; head++) {
            Label headLabel = new Label(Texts.format(messages, "stage.attention.headLabel", head + 1));
            headLabel.getStyleClass().add("stage-caption");
            overview.add(headLabel, head + 1, 0);
        }
        for (int layer = 0; layer < config.nLayer(); layer++) {
            Label blockLabel = new Label(Texts.format(messages, "stage.attention.blockLabel", layer + 1));
            blockLabel.getStyleClass().add("stage-caption");
            overview.add(blockLabel, 0, layer + 1);
            List<VBox> row = new ArrayList<>(heads);
            for (int head = 0; head < heads; head++) {
                DMatrixRMaj values = context.run().trace().get(HookKey.of(Hook.PATTERN, layer, head)); // [T, T]
                for (int i = 0; i < tokens; i++) {
                    for (int j = 0; j < tokens; j++) {
                        pixels[i * tokens + j] = j > i ? MASKED_ARGB
                                : ColorScale.SEQUENTIAL.argb(values.get(i, j), 0, 1);
                    }
                }
                WritableImage image = new WritableImage(tokens, tokens);
                image.getPixelWriter().setPixels(0, 0, tokens, tokens, PixelFormat.getIntArgbInstance(), pixels, 0, tokens);
                ImageView picture = new ImageView(image);
                picture.setSmooth(false);
                picture.setFitWidth(side);
                picture.setFitHeight(side);
                VBox thumbnail = new VBox(picture);
                thumbnail.setId("overview-l" + layer + "-h" + head);
                thumbnail.getStyleClass().addAll("stage-thumbnail",
                        "stage-group-" + TensorValues.kvHeadOf(config, head) % HeadSharing.GROUP_TINTS);
                Tooltip.install(thumbnail, new Tooltip(Texts.format(messages, "stage.attention.thumbnailTooltip",
                        layer + 1, head + 1, TensorValues.kvHeadOf(config, head) + 1)));
                int clickedLayer = layer;
                int clickedHead = head;
                thumbnail.setOnMouseClicked(event -> {
                    if (event.getButton() == MouseButton.PRIMARY) {
                        context.actions().openStage(Stage.of(Stage.Kind.ATTENTION_SOFTMAX, clickedLayer), clickedHead);
                    }
                });
                overview.add(thumbnail, head + 1, layer + 1);
                row.add(thumbnail);
            }
            thumbnails.add(row);
        }
    }

    private void markCurrentThumbnail() {
        for (int layer = 0; layer < thumbnails.size(); layer++) {
            for (int head = 0; head < thumbnails.get(layer).size(); head++) {
                VBox thumbnail = thumbnails.get(layer).get(head);
                boolean current = layer == context.stage().block() && head == context.head();
                thumbnail.getStyleClass().remove("stage-thumbnail-current");
                if (current) {
                    thumbnail.getStyleClass().add("stage-thumbnail-current");
                }
            }
        }
    }

    /** Selects the "All heads" tab (for a window that opens the overview directly). */
    void showAllHeads() {
        tabs.getSelectionModel().select(allTab);
    }
}
