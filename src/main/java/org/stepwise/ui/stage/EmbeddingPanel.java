package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.TreeSet;

import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import org.ejml.data.DMatrixRMaj;

import org.stepwise.model.Hook;
import org.stepwise.model.ParameterLayout;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageView;
import org.stepwise.pipeline.TensorRef;
import org.stepwise.tensor.MatMul;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.ui.stage.CellExplanations.TensorCell;
import org.stepwise.viz.ColorScale;
import org.stepwise.viz.FormulaView;
import org.stepwise.viz.HeatmapView;

/**
 * The Token embedding stage: the embedding matrix W_E [V×C] with the rows the sentence looks up framed,
 * beside the result X_tok [T×C]; a switch shows the same result as the product onehot·W_E. A vocabulary
 * too large to draw whole (GPT-2's 50257 rows) is shown as a scrollable window of rows. Hovering or
 * pinning any cell of W_E, X_tok or the product explains it in the window's explanation line.
 */
final class EmbeddingPanel implements StagePanel {

    /** Vocabularies up to this size are drawn whole. */
    static final int WHOLE_TABLE_LIMIT = 2048;
    /** Rows of the window a larger vocabulary is shown through. */
    static final int WINDOW_ROWS = 160;

    private final VBox root = new VBox(10);
    private final ScrollPane scroller = StagePanels.scrolling(root);
    private final Label title = new Label();
    private final FormulaView formula = new FormulaView();
    private final Label shapeLine = new Label();
    private final ToggleButton asProduct = new ToggleButton();

    private final Label tableCaption = new Label();
    private final ScrollBar windowScroll = new ScrollBar();
    private final MarkedHeatmap table;
    private final HeatmapView result;
    private final HBox lookupBox;

    private final Label productCaption = new Label();
    private final HeatmapView oneHot;
    private final HeatmapView productTable;
    private final HeatmapView productResult;
    private final VBox productBox;

    private final CellExplanations explanations = new CellExplanations();

    private StageContext context;
    private int[] ids = new int[0];
    /** The distinct ids of the sentence, ascending: the columns of the one-hot matrix the product shows. */
    private int[] productIds = new int[0];
    private int windowStart = -1;
    private boolean showing;

    EmbeddingPanel() {
        root.getStyleClass().addAll("stage-panel", "stage-embedding");
        root.setId("stage-embedding");
        title.getStyleClass().add("stage-title");
        formula.setId("embedding-formula");
        shapeLine.setId("embedding-shape");
        shapeLine.getStyleClass().add("stage-mono");
        asProduct.setId("embedding-as-product");
        asProduct.setMnemonicParsing(false);
        tableCaption.setId("embedding-table-caption");
        tableCaption.getStyleClass().add("stage-caption");
        tableCaption.setWrapText(true);
        productCaption.setId("embedding-product-caption");
        productCaption.getStyleClass().add("stage-caption");
        productCaption.setWrapText(true);

        HeatmapView tableView = new HeatmapView();
        tableView.setId("embedding-table");
        table = new MarkedHeatmap(tableView);
        result = heatmap("embedding-result");
        windowScroll.setId("embedding-window-scroll");
        windowScroll.setOrientation(Orientation.VERTICAL);
        windowScroll.valueProperty().addListener((observable, before, after) -> {
            if (!showing && context != null) {
                showWindow((int) Math.round(after.doubleValue()));
                explanations.refresh();
            }
        });
        HBox tableWithScroll = new HBox(4, table, windowScroll);
        VBox tableBox = new VBox(6, tableCaption, tableWithScroll);
        Label arrow = operator("→");
        lookupBox = new HBox(12, tableBox, arrow, result);
        lookupBox.setAlignment(Pos.TOP_LEFT);
        lookupBox.setFillHeight(false);
        lookupBox.setId("embedding-lookup");

        oneHot = heatmap("embedding-onehot");
        oneHot.setColorScale(ColorScale.SEQUENTIAL);
        productTable = heatmap("embedding-product-table");
        productResult = heatmap("embedding-product-result");
        HBox product = new HBox(10, oneHot, operator("·"), productTable, operator("="), productResult);
        product.setAlignment(Pos.CENTER_LEFT);
        productBox = new VBox(6, productCaption, product);
        productBox.setId("embedding-product");

        asProduct.selectedProperty().addListener((observable, before, after) -> {
            showMode();
            explanations.clearPins();
        });
        root.getChildren().addAll(title, formula, shapeLine, asProduct, lookupBox, productBox);
        showMode();
        attachExplanations();
    }

    /** Which number of the trace each cell of each heatmap shows. */
    private void attachExplanations() {
        explanations.attach(table.heatmap(), cell -> new TensorCell(embeddingTable(), windowStart + cell.row(), cell.col()));
        explanations.attach(result, cell -> new TensorCell(TensorRef.hook(Hook.EMBED), cell.row(), cell.col()));
        explanations.attach(oneHot, cell -> new TensorCell(new TensorRef.OneHot(), cell.row(), productIds[cell.col()]));
        explanations.attach(productTable, cell -> new TensorCell(embeddingTable(), productIds[cell.row()], cell.col()));
        explanations.attach(productResult, cell -> new TensorCell(TensorRef.hook(Hook.EMBED), cell.row(), cell.col()));
    }

    /** The whole token embedding W_E [V×C]. */
    private TensorRef embeddingTable() {
        return TensorRef.weight(ParameterLayout.TOKEN_EMBEDDING, context.model().config().dModel());
    }

    private static HeatmapView heatmap(String id) {
        HeatmapView view = new HeatmapView();
        view.setId(id);
        return view;
    }

    private static Label operator(String text) {
        Label label = new Label(text);
        label.getStyleClass().add("stage-operator");
        return label;
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
        title.setText(messages.getString(newContext.stage().kind().bundleKey()));
        asProduct.setText(messages.getString("stage.embedding.asProduct"));
        int selected = newContext.selectedToken();
        if (newContext.run() == null) {
            ids = new int[0];
            tableCaption.setText(messages.getString("pipeline.notice.empty"));
            lookupBox.setVisible(false);
            productBox.setVisible(false);
            asProduct.setDisable(true);
            return;
        }
        asProduct.setDisable(false);
        showMode();
        if (!sameData) {
            ids = newContext.run().ids();
            var config = newContext.model().config();
            StageView view = StageView.of(config, newContext.stage(), 0, ids.length);
            formula.setLatex(view.latex());
            shapeLine.setText(String.join("   ", view.shapeLines()));
            StageTensor output = view.tensor(StageTensor.Role.OUTPUT, "X_tok");
            DMatrixRMaj embedded = view.values(output, newContext.run(), newContext.weights(), config); // [T, C]
            List<String> tokenLabels = tokenLabels(newContext.model().tokenizer(), ids);
            result.setTitle(Texts.format(messages, "stage.embedding.result", output.shapeText()));
            result.setRowLabels(tokenLabels);
            result.cellSizeProperty().set(Heatmaps.fittingCellSize(ids.length, config.dModel(), 420, 360, 2, 18));
            Heatmaps.show(result, embedded);
            showProduct(embedded, tokenLabels);
            windowStart = -1;
        }
        result.highlightedRowProperty().set(selected);
        productResult.highlightedRowProperty().set(selected);
        oneHot.highlightedRowProperty().set(selected);
        int vocab = newContext.model().config().vocabSize();
        int wanted = vocab <= WHOLE_TABLE_LIMIT ? 0
                : Math.max(0, Math.min(vocab - WINDOW_ROWS, ids[selected >= 0 ? selected : 0] - WINDOW_ROWS / 4));
        if (!sameData || vocab > WHOLE_TABLE_LIMIT && selected >= 0) {
            showWindow(wanted);
        }
        table.heatmap().highlightedRowProperty().set(selected >= 0 ? rowInWindow(ids[selected]) : -1);
    }

    /** "token (id)" for every position. */
    private static List<String> tokenLabels(Tokenizer tokenizer, int[] ids) {
        List<String> labels = new ArrayList<>(ids.length);
        for (int id : ids) {
            labels.add(Texts.token(tokenizer, id) + " (" + id + ")");
        }
        return labels;
    }

    private int rowInWindow(int id) {
        int row = id - windowStart;
        return row >= 0 && row < table.heatmap().rowCount() ? row : -1;
    }

    /** Draws rows [start, start + window) of W_E (all of it for a small vocabulary), framing the looked-up rows. */
    private void showWindow(int start) {
        ResourceBundle messages = context.messages();
        DMatrixRMaj embedding = context.weights().get(ParameterLayout.TOKEN_EMBEDDING); // [V, C]
        int vocab = embedding.numRows;
        int width = embedding.numCols;
        int rows = Math.min(vocab, vocab <= WHOLE_TABLE_LIMIT ? vocab : WINDOW_ROWS);
        int first = Math.max(0, Math.min(start, vocab - rows));
        if (first == windowStart && table.heatmap().rowCount() == rows) {
            return;
        }
        windowStart = first;
        double[] values = new double[rows * width];                                      // [rows, C]
        System.arraycopy(embedding.data, first * width, values, 0, rows * width);
        Tokenizer tokenizer = context.model().tokenizer();
        List<String> labels = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            labels.add((first + row) + " " + Texts.token(tokenizer, first + row));
        }
        HeatmapView view = table.heatmap();
        view.setRowLabels(labels);
        view.cellSizeProperty().set(Heatmaps.fittingCellSize(rows, width, 520, 640, 1, 14));
        view.setValues(values, rows, width);
        view.setTitle(Texts.format(messages, "stage.embedding.table", "[" + vocab + "×" + width + "]"));
        List<Integer> marked = new ArrayList<>();
        for (int id : ids) {
            if (id >= first && id < first + rows) {
                marked.add(id - first);
            }
        }
        table.setMarkedRows(marked.stream().mapToInt(Integer::intValue).toArray());
        boolean windowed = rows < vocab;
        windowScroll.setVisible(windowed);
        windowScroll.setManaged(windowed);
        tableCaption.setText(windowed
                ? Texts.format(messages, "stage.embedding.window", first, first + rows - 1, vocab, marked.size(), ids.length)
                : Texts.format(messages, "stage.embedding.whole", vocab, ids.length));
        if (windowed) {
            showing = true;
            windowScroll.setMin(0);
            windowScroll.setMax(vocab - rows);
            windowScroll.setVisibleAmount(rows);
            windowScroll.setUnitIncrement(1);
            windowScroll.setBlockIncrement(rows);
            windowScroll.setValue(first);
            windowScroll.setPrefHeight(view.prefHeight(-1));
            showing = false;
        }
        int selected = context.selectedToken();
        view.highlightedRowProperty().set(selected >= 0 ? rowInWindow(ids[selected]) : -1);
    }

    /**
     * onehot·W_E computed for real from the k distinct ids of the sentence: only those k columns of the
     * one-hot rows hold a 1, so only those k rows of W_E contribute; the product equals X_tok exactly.
     */
    private void showProduct(DMatrixRMaj embedded, List<String> tokenLabels) {
        ResourceBundle messages = context.messages();
        DMatrixRMaj embedding = context.weights().get(ParameterLayout.TOKEN_EMBEDDING); // [V, C]
        int width = embedding.numCols;
        TreeSet<Integer> distinct = new TreeSet<>();
        for (int id : ids) {
            distinct.add(id);
        }
        int[] columns = distinct.stream().mapToInt(Integer::intValue).toArray();
        productIds = columns;
        DMatrixRMaj oneHotColumns = new DMatrixRMaj(ids.length, columns.length);         // [T, k]
        for (int t = 0; t < ids.length; t++) {
            oneHotColumns.set(t, java.util.Arrays.binarySearch(columns, ids[t]), 1.0);
        }
        DMatrixRMaj tableRows = new DMatrixRMaj(columns.length, width);                   // [k, C]
        for (int i = 0; i < columns.length; i++) {
            System.arraycopy(embedding.data, columns[i] * width, tableRows.data, i * width, width);
        }
        DMatrixRMaj product = new DMatrixRMaj(ids.length, width);
        MatMul.mult(oneHotColumns, tableRows, product);                                   // [T, k]·[k, C] → [T, C]
        Tokenizer tokenizer = context.model().tokenizer();
        List<String> columnLabels = new ArrayList<>(columns.length);
        List<String> rowLabels = new ArrayList<>(columns.length);
        for (int id : columns) {
            columnLabels.add(Integer.toString(id));
            rowLabels.add(id + " " + Texts.token(tokenizer, id));
        }
        int vocab = embedding.numRows;
        double cell = Heatmaps.fittingCellSize(Math.max(ids.length, columns.length), Math.max(width, columns.length),
                240, 300, 1, 18);
        oneHot.setTitle(Texts.format(messages, "stage.embedding.oneHot", ids.length, columns.length));
        oneHot.setRowLabels(tokenLabels);
        oneHot.setColumnLabels(columnLabels);
        oneHot.cellSizeProperty().set(cell);
        oneHot.setRange(0, 1);
        Heatmaps.show(oneHot, oneHotColumns);
        productTable.setTitle(Texts.format(messages, "stage.embedding.tableRows", columns.length, width));
        productTable.setRowLabels(rowLabels);
        productTable.cellSizeProperty().set(cell);
        Heatmaps.show(productTable, tableRows);
        productResult.setTitle(Texts.format(messages, "stage.embedding.result", "[" + ids.length + "×" + width + "]"));
        productResult.setRowLabels(tokenLabels);
        productResult.cellSizeProperty().set(cell);
        Heatmaps.show(productResult, product);
        productCaption.setText(Texts.format(messages, "stage.embedding.productCaption", ids.length, vocab,
                columns.length, vocab - columns.length, width));
        lastProduct = product;
        lastEmbedded = embedded;
    }

    private DMatrixRMaj lastProduct;
    private DMatrixRMaj lastEmbedded;

    /** The largest |onehot·W_E − X_tok| of the product shown: 0 when the product is the lookup. */
    double productMismatch() {
        double largest = 0;
        for (int i = 0; i < lastEmbedded.getNumElements(); i++) {
            largest = Math.max(largest, Math.abs(lastProduct.data[i] - lastEmbedded.data[i]));
        }
        return largest;
    }

    /** The first vocabulary id of the rows of W_E drawn. */
    int windowStart() {
        return windowStart;
    }

    MarkedHeatmap table() {
        return table;
    }

    private void showMode() {
        boolean product = asProduct.isSelected();
        lookupBox.setVisible(!product);
        lookupBox.setManaged(!product);
        productBox.setVisible(product);
        productBox.setManaged(product);
    }
}
