package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import org.ejml.data.DMatrixRMaj;

import org.stepwise.model.ModelConfig;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageView;
import org.stepwise.pipeline.TensorRef;
import org.stepwise.viz.FormulaView;
import org.stepwise.viz.HeatmapView;

/**
 * The Position stage: X_tok + P = X with the position matrix P that is added (rows of the learned table
 * W_P, or the sinusoidal encoding); for RoPE or no positions, a note that nothing is added here. Hovering
 * or pinning a cell of X_tok, P or X explains it in the window's explanation line.
 */
final class PositionPanel implements StagePanel {

    private final VBox root = new VBox(10);
    private final ScrollPane scroller = StagePanels.scrolling(root);
    private final Label title = new Label();
    private final FormulaView formula = new FormulaView();
    private final Label shapeLine = new Label();
    private final Label note = new Label();
    private final HBox sum = new HBox(10);
    private final List<HeatmapView> views = new ArrayList<>();

    private final CellExplanations explanations = new CellExplanations();

    private StageContext context;

    PositionPanel() {
        root.getStyleClass().addAll("stage-panel", "stage-position");
        root.setId("stage-position");
        title.getStyleClass().add("stage-title");
        formula.setId("position-formula");
        shapeLine.setId("position-shape");
        shapeLine.getStyleClass().add("stage-mono");
        note.setId("position-note");
        note.getStyleClass().add("stage-note");
        note.setWrapText(true);
        sum.setAlignment(Pos.CENTER_LEFT);
        sum.setId("position-sum");
        root.getChildren().addAll(title, formula, shapeLine, note, sum);
    }

    @Override
    public Node node() {
        return scroller;
    }

    @Override
    public void show(StageContext newContext) {
        explanations.show(newContext, () -> draw(newContext));
    }

    private void draw(StageContext newContext) {
        boolean sameData = newContext.sameNumbersAs(context);
        context = newContext;
        ResourceBundle messages = newContext.messages();
        ModelConfig config = newContext.model().config();
        title.setText(messages.getString(newContext.stage().kind().bundleKey()));
        note.setText(messages.getString(switch (config.positional()) {
            case LEARNED -> "stage.position.learned";
            case SINUSOIDAL -> "stage.position.sinusoidal";
            case ROPE -> "stage.position.rope";
            case NONE -> "stage.position.none";
        }));
        if (newContext.run() == null) {
            sum.getChildren().clear();
            views.clear();
            explanations.detachAll();
            return;
        }
        if (!sameData) {
            int[] ids = newContext.run().ids();
            StageView view = StageView.of(config, newContext.stage(), 0, ids.length);
            formula.setLatex(view.latex());
            shapeLine.setText(String.join("   ", view.shapeLines()));
            List<String> rowLabels = new ArrayList<>(ids.length);
            for (int t = 0; t < ids.length; t++) {
                rowLabels.add(t + " " + Texts.token(newContext.model().tokenizer(), ids[t]));
            }
            double cell = Heatmaps.fittingCellSize(ids.length, config.dModel(), 220, 360, 1, 16);
            sum.getChildren().clear();
            views.clear();
            explanations.detachAll();
            List<StageTensor> tensors = view.nothingAdded()
                    ? List.of(view.tensor(StageTensor.Role.OUTPUT, "X"))
                    : List.of(view.tensor(StageTensor.Role.INPUT, "X_tok"), positionTensor(view), view.tensor(StageTensor.Role.OUTPUT, "X"));
            String[] operators = {"+", "="};
            double largest = 1e-12;                      // one colour range for all three, so colours add up visibly
            for (int i = 0; i < tensors.size(); i++) {
                StageTensor tensor = tensors.get(i);
                DMatrixRMaj values = view.values(tensor, newContext.run(), newContext.weights(), config); // [T, C]
                HeatmapView heatmap = new HeatmapView(messages);
                heatmap.setId("position-" + tensor.letter().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
                heatmap.setTitle(tensor.letter() + "  " + tensor.shapeText());
                heatmap.setRowLabels(rowLabels);
                heatmap.cellSizeProperty().set(cell);
                Heatmaps.show(heatmap, values);
                for (int k = 0; k < values.getNumElements(); k++) {
                    largest = Math.max(largest, Math.abs(values.data[k]));
                }
                if (i > 0) {
                    Label operator = new Label(operators[i - 1]);
                    operator.getStyleClass().add("stage-operator");
                    sum.getChildren().add(operator);
                }
                sum.getChildren().add(heatmap);
                views.add(heatmap);
                TensorRef shown = tensor.ref();                  // every row and column of the tensor, as they are
                explanations.attach(heatmap, hovered -> new CellExplanations.TensorCell(shown, hovered.row(), hovered.col()));
            }
            for (HeatmapView heatmap : views) {
                heatmap.setRange(-largest, largest);
            }
        }
        for (HeatmapView heatmap : views) {
            heatmap.highlightedRowProperty().set(newContext.selectedToken());
        }
    }

    private static StageTensor positionTensor(StageView view) {
        for (StageTensor tensor : view.tensors()) {
            if (tensor.letter().equals("P")) {
                return tensor;
            }
        }
        throw new IllegalArgumentException("the Position stage of a model that adds positions shows no P");
    }
}
