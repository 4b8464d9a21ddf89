package org.stepwise.ui;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.ResourceBundle;
import java.util.TreeSet;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.Hook;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.CellExplanation;
import org.stepwise.pipeline.Explainer;
import org.stepwise.pipeline.ExplanationFormatter;
import org.stepwise.pipeline.OutputDistribution;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageTensor.Axis;
import org.stepwise.pipeline.StageTensor.Role;
import org.stepwise.pipeline.StageView;
import org.stepwise.pipeline.TensorRef;
import org.stepwise.pipeline.TensorValues;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.ui.stage.StagePanel;
import org.stepwise.viz.Cell;
import org.stepwise.viz.ColorScale;
import org.stepwise.viz.FormulaView;
import org.stepwise.viz.HeatmapView;

/**
 * The general stage panel: the stage's title, its formula, the shape lines with letters and real sizes,
 * and its tensors as labelled heatmaps laid out inputs → weights → outputs with the operators between,
 * in a scroll pane. Hovering a cell explains how it was computed ({@link #explanationProperty()}); a
 * click pins the explanation. A vocabulary axis longer than {@value #VOCABULARY_SHOWN_LIMIT} entries
 * (GPT-2's 50257) shows only the sentence's tokens and the most likely next tokens, and says so.
 */
public final class TensorStagePanel implements StagePanel {

    /** A vocabulary axis up to this length is shown whole. */
    public static final int VOCABULARY_SHOWN_LIMIT = 4096;
    /** How many of the most likely next tokens a shortened vocabulary axis keeps. */
    public static final int TOP_NEXT_TOKENS = 48;
    /**
     * Index labels are written for axes up to this length; longer ones (GPT-2's 768 and 3072) are drawn at
     * a pixel or two per cell where labels could not be read, and hovering a cell names its index.
     */
    static final int INDEX_LABEL_LIMIT = 512;
    /** Largest cell side in pixels. */
    static final double MAX_CELL = 14;
    /** A heatmap is drawn on at most about this many pixels: large matrices get small cells. */
    static final double PIXEL_BUDGET = 2_000_000;
    /**
     * A small matrix (the attention pattern of a short sentence: at most {@value #SMALL_MATRIX_MAX_ROWS} rows and
     * columns) gets larger cells, up to {@value #MAX_SMALL_CELL} pixels, so that its longer side spans about
     * {@value #SMALL_MATRIX_SIDE} pixels and a class can read it from the back. Wider matrices such as Q and K keep
     * {@value #MAX_CELL}, so that an equation of several of them still fits beside the dashboard.
     */
    static final int SMALL_MATRIX_MAX_ROWS = 12;
    static final double SMALL_MATRIX_SIDE = 300;
    static final double MAX_SMALL_CELL = 28;

    /** What one heatmap of the panel shows: a tensor, and which real rows and columns its rows and columns are. */
    private record Binding(StageTensor tensor, int[] rowIndices, int[] columnIndices) {
        int realRow(int row) {
            return rowIndices == null ? row : rowIndices[row];
        }

        int realColumn(int column) {
            return columnIndices == null ? column : columnIndices[column];
        }
    }

    /**
     * What a heatmap of the pool shows now: the tensor, which of its rows and columns, and the trace and
     * weights its numbers came from. When a redraw would put the same into the same heatmap, it is left as is.
     */
    private record Filled(Binding binding, SentenceTrace run, Parameters weights, LoadedModel model) {
        boolean sameAs(Filled other) {
            return other != null && binding.tensor().equals(other.binding.tensor())
                    && Arrays.equals(binding.rowIndices(), other.binding.rowIndices())
                    && Arrays.equals(binding.columnIndices(), other.binding.columnIndices())
                    && run == other.run && weights == other.weights && model == other.model;
        }
    }

    /** One node of the tensor area: its column, its row and how many rows it spans. */
    private record Placement(Node node, int column, int row, int rowSpan) {
    }

    /**
     * The nodes of every stage in one grid that stays in the scene: heatmaps and operators are shown, hidden
     * and moved, never taken out and put back, so changing stage does not restyle them. Each node has its
     * preferred size, left-aligned in its column and centred on its rows; a one-row grid is a row of tensors.
     */
    private static final class TensorArea extends Region {
        private static final double GAP = 10;
        private final List<Placement> placements = new ArrayList<>();
        private double[] columnWidths = new double[0];
        private double[] rowHeights = new double[0];

        TensorArea() {
            getStyleClass().add("tensor-row");
        }

        /** Shows exactly the placed nodes, at their cells; every other child is hidden and takes no room. */
        void place(List<Placement> shown) {
            placements.clear();
            placements.addAll(shown);
            java.util.Set<Node> placed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Placement placement : shown) {
                placed.add(placement.node());
                if (placement.node().getParent() != this) {
                    getChildren().add(placement.node());
                }
            }
            for (Node child : getChildren()) {
                boolean visible = placed.contains(child);
                child.setVisible(visible);
                child.setManaged(visible);
            }
            requestLayout();
        }

        /** Widths of the columns and heights of the rows the placed nodes need. */
        private void measure() {
            int columns = 0;
            int rows = 0;
            for (Placement placement : placements) {
                columns = Math.max(columns, placement.column() + 1);
                rows = Math.max(rows, placement.row() + placement.rowSpan());
            }
            columnWidths = new double[columns];
            rowHeights = new double[rows];
            for (Placement placement : placements) {
                Node node = placement.node();
                columnWidths[placement.column()] = Math.max(columnWidths[placement.column()], node.prefWidth(-1));
                if (placement.rowSpan() == 1) {
                    rowHeights[placement.row()] = Math.max(rowHeights[placement.row()], node.prefHeight(-1));
                }
            }
            for (Placement placement : placements) {
                if (placement.rowSpan() > 1) {
                    int last = placement.row() + placement.rowSpan() - 1;
                    double missing = placement.node().prefHeight(-1) - spanHeight(placement.row(), last);
                    if (missing > 0) {
                        rowHeights[last] += missing;
                    }
                }
            }
        }

        private double spanHeight(int first, int last) {
            double height = 0;
            for (int row = first; row <= last; row++) {
                height += rowHeights[row] + (row > first ? GAP : 0);
            }
            return height;
        }

        /** Left edge of {@code column}, counting a gap only after columns that hold something. */
        private double columnX(int column) {
            double x = snappedLeftInset();
            for (int c = 0; c < column; c++) {
                x += columnWidths[c] > 0 ? columnWidths[c] + GAP : 0;
            }
            return x;
        }

        @Override
        protected double computePrefWidth(double height) {
            measure();
            return columnX(columnWidths.length) - (columnWidths.length > 0 ? GAP : 0) + snappedRightInset();
        }

        @Override
        protected double computePrefHeight(double width) {
            measure();
            double rows = rowHeights.length == 0 ? 0 : spanHeight(0, rowHeights.length - 1);
            return snappedTopInset() + rows + snappedBottomInset();
        }

        @Override
        protected double computeMinWidth(double height) {
            return computePrefWidth(height);
        }

        @Override
        protected double computeMinHeight(double width) {
            return computePrefHeight(width);
        }

        @Override
        protected void layoutChildren() {
            measure();
            for (Placement placement : placements) {
                Node node = placement.node();
                double width = node.prefWidth(-1);
                double height = node.prefHeight(-1);
                double top = snappedTopInset() + (placement.row() == 0 ? 0 : spanHeight(0, placement.row() - 1) + GAP);
                double span = spanHeight(placement.row(), placement.row() + placement.rowSpan() - 1);
                node.resizeRelocate(snapPositionX(columnX(placement.column())),
                        snapPositionY(top + (span - height) / 2), width, height);
            }
        }
    }

    /** What the values on screen were computed from; when it is unchanged only the highlight is redrawn. */
    private record Shown(LoadedModel model, Parameters weights, SentenceTrace run, Stage stage, int head,
                         Object sampling, ResourceBundle messages) {
    }

    private final VBox root = new VBox(8);
    private final Label title = new Label();
    /** A typeset formula per LaTeX text: typesetting takes longer than a frame, so each is typeset once. */
    private final java.util.Map<String, FormulaView> formulas = new java.util.HashMap<>();
    private final javafx.scene.layout.StackPane formula = new javafx.scene.layout.StackPane();
    private final Label shapes = new Label();
    private final Label note = new Label();
    private final Label sentenceText = new Label();
    private final ScrollPane scroll = ScrollPanes.drawnDirectly(new ScrollPane());
    private final List<HeatmapView> pool = new ArrayList<>();
    /** The heatmaps of the pool showing the stage's tensors, in the order of {@link #bindings}. */
    private final List<HeatmapView> onScreen = new ArrayList<>();
    /** What each heatmap of the pool shows now (absent: nothing yet). */
    private final java.util.Map<HeatmapView, Filled> filled = new java.util.IdentityHashMap<>();
    /** Operator labels written between tensors, reused from stage to stage. */
    private final List<Label> operators = new ArrayList<>();
    private final TensorArea area = new TensorArea();
    private final List<Binding> bindings = new ArrayList<>();
    private final ReadOnlyStringWrapper explanation = new ReadOnlyStringWrapper("");
    private StageContext context;
    private Shown shown;
    private ExplanationFormatter formatter;
    private boolean clearingPins;
    private StageViews views = (config, stage, head, run, sampling) ->
            StageView.of(config, stage, head, run.tokens(), sampling);

    /** Makes the {@link StageView} of a stage for a trace: a decoder-only model's own, or one half of a translation model's. */
    @FunctionalInterface
    public interface StageViews {
        StageView of(ModelConfig config, Stage stage, int head, SentenceTrace run, SamplingSettings sampling);
    }

    /** Uses {@code maker} for the stage views from now on (the window of an encoder-decoder model sets its own). */
    public void setStageViews(StageViews maker) {
        views = Objects.requireNonNull(maker, "maker");
        shown = null;
    }

    public TensorStagePanel() {
        root.getStyleClass().add("stage-panel");
        root.setId("tensor-stage-panel");
        title.setId("stage-title");
        title.getStyleClass().add("stage-title");
        formula.setId("stage-formula");
        formula.setAlignment(Pos.CENTER_LEFT);
        shapes.setId("stage-shapes");
        shapes.getStyleClass().add("stage-shapes");
        note.setId("stage-note");
        note.getStyleClass().add("stage-note");
        note.setWrapText(true);
        sentenceText.setId("stage-text");
        sentenceText.getStyleClass().add("stage-text");
        sentenceText.setWrapText(true);
        scroll.setId("stage-scroll");
        scroll.getStyleClass().add("stage-scroll");
        scroll.setPannable(false);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        for (Region fixed : List.of(title, formula, shapes, note, sentenceText)) {
            fixed.setMinHeight(Region.USE_PREF_SIZE);
        }
        root.getChildren().addAll(title, formula, shapes, note, sentenceText, scroll);
        scroll.setContent(area);
    }

    @Override
    public Node node() {
        return root;
    }

    /** How the hovered cell (or else the pinned one) was computed, with the real numbers; empty when none. */
    public ReadOnlyStringProperty explanationProperty() {
        return explanation.getReadOnlyProperty();
    }

    /** The heatmap showing the tensor the stage calls {@code letter}, or null when the stage has none. */
    public HeatmapView heatmap(String letter) {
        for (int i = 0; i < bindings.size(); i++) {
            if (bindings.get(i).tensor().letter().equals(letter)) {
                return onScreen.get(i);
            }
        }
        return null;
    }

    /** The real (row, column) of the tensor that a cell of heatmap {@code letter} shows. */
    public int[] realCell(String letter, Cell cell) {
        for (int i = 0; i < bindings.size(); i++) {
            if (bindings.get(i).tensor().letter().equals(letter)) {
                return new int[] {bindings.get(i).realRow(cell.row()), bindings.get(i).realColumn(cell.col())};
            }
        }
        throw new IllegalArgumentException("the stage shows no tensor " + letter);
    }

    /**
     * Scrolls so that cell {@code cell} of the heatmap showing {@code letter} is in view (wide tensors
     * such as GPT-2's 3072-wide FFN do not fit on screen).
     *
     * @throws IllegalArgumentException when the stage shows no such tensor
     */
    public void scrollTo(String letter, Cell cell) {
        HeatmapView heatmap = heatmap(letter);
        if (heatmap == null) {
            throw new IllegalArgumentException("the stage shows no tensor " + letter);
        }
        Node content = scroll.getContent();
        root.applyCss();
        root.layout();
        javafx.geometry.Bounds bounds = content.sceneToLocal(heatmap.localToScene(heatmap.cellBounds(cell)));
        javafx.geometry.Bounds viewport = scroll.getViewportBounds();
        double extraWidth = content.getLayoutBounds().getWidth() - viewport.getWidth();
        double extraHeight = content.getLayoutBounds().getHeight() - viewport.getHeight();
        if (extraWidth > 0) {
            scroll.setHvalue(Math.max(0, Math.min(1, (bounds.getCenterX() - viewport.getWidth() / 2) / extraWidth)));
        }
        if (extraHeight > 0) {
            scroll.setVvalue(Math.max(0, Math.min(1, (bounds.getCenterY() - viewport.getHeight() / 2) / extraHeight)));
        }
        root.layout();
    }

    @Override
    public void show(StageContext newContext) {
        context = Objects.requireNonNull(newContext, "context");
        if (formatter == null || shown == null || shown.messages() != newContext.messages()) {
            formatter = new ExplanationFormatter(newContext.messages());
        }
        int headShown = isHeadStage(newContext.stage().kind()) ? newContext.head() : -1;   // others show no head
        Shown key = new Shown(newContext.model(), newContext.weights(), newContext.run(), newContext.stage(),
                headShown, newContext.sampling(), newContext.messages());
        if (!key.equals(shown)) {
            shown = key;
            redraw();
        }
        highlightSelectedToken();
        refreshExplanation();
    }

    /** Rebuilds titles, formula and every heatmap's values for the context. */
    private void redraw() {
        ResourceBundle messages = context.messages();
        Stage stage = context.stage();
        String stageName = messages.getString(stage.kind().bundleKey());
        SentenceTrace run = context.run();
        // an encoder-decoder model says which stack the block belongs to
        String blockKey = stage.encoder() ? "encdec.panel.titleInEncoderBlock"
                : run != null && run.source() != null ? "encdec.panel.titleInDecoderBlock" : "ui.panel.titleInBlock";
        title.setText(stage.block() >= 0 ? I18n.format(messages, blockKey, stageName, stage.block() + 1) : stageName);
        explanation.set("");
        if (run == null) {
            showFormula("");
            shapes.setText("");
            note.setText(messages.getString("ui.panel.noSentence"));
            showSentenceText();
            bindings.clear();
            showTensors(false);
            return;
        }
        ModelConfig config = context.model().config();
        StageView view = views.of(config, stage, context.head(), run, context.sampling());
        showFormula(view.latex());
        shapes.setText(String.join("\n", view.shapeLines()));
        List<String> notes = new ArrayList<>();
        if (view.nothingAdded()) {
            notes.add(messages.getString("pipeline.stage.nothingAdded"));
        }
        if (stage.kind().inBlock() && isHeadStage(stage.kind())) {
            notes.add(I18n.format(messages, "ui.panel.head", context.head() + 1, config.nHead(), view.kvHead() + 1,
                    config.nKvHead()));
        }
        showSentenceText();
        bindings.clear();
        int[] vocabularyShown = null;
        for (StageTensor tensor : view.tensors()) {
            boolean shortRows = tensor.rowAxis() == Axis.VOCAB && tensor.rows() > VOCABULARY_SHOWN_LIMIT;
            boolean shortColumns = tensor.columnAxis() == Axis.VOCAB && tensor.columns() > VOCABULARY_SHOWN_LIMIT;
            if ((shortRows || shortColumns) && vocabularyShown == null) {
                vocabularyShown = vocabularySubset(run, config.vocabSize());
                notes.add(I18n.format(messages, "ui.panel.vocabularySubset", vocabularyShown.length,
                        config.vocabSize(), TOP_NEXT_TOKENS));
            }
            bindings.add(new Binding(tensor, shortRows ? vocabularyShown : null, shortColumns ? vocabularyShown : null));
        }
        note.setText(String.join("\n", notes));
        assignHeatmaps();
        for (int i = 0; i < bindings.size(); i++) {
            fill(onScreen.get(i), bindings.get(i), run);
        }
        for (HeatmapView heatmap : pool) {
            if (!onScreen.contains(heatmap)) {
                heatmap.setUserData(null);            // hidden: shows no tensor
            }
        }
        if (!bindings.isEmpty()) {
            area.place(layout(view));
        }
        showTensors(!bindings.isEmpty());
    }

    /**
     * Chooses a heatmap of the pool for every tensor of the stage: the one already showing a tensor of that
     * letter when there is one (the same tensor is not refilled),
     * else a free one, else a new one.
     */
    private void assignHeatmaps() {
        onScreen.clear();
        for (Binding binding : bindings) {
            String letter = binding.tensor().letter();
            HeatmapView same = null;
            for (HeatmapView heatmap : pool) {
                if (letter.equals(heatmap.getUserData()) && !onScreen.contains(heatmap)) {
                    same = heatmap;
                    break;
                }
            }
            onScreen.add(same);
        }
        for (int i = 0; i < onScreen.size(); i++) {
            if (onScreen.get(i) != null) {
                continue;
            }
            HeatmapView free = null;
            for (HeatmapView heatmap : pool) {
                if (!onScreen.contains(heatmap)) {
                    free = heatmap;
                    break;
                }
            }
            if (free == null) {
                free = newHeatmap(pool.size());
                pool.add(free);
            }
            onScreen.set(i, free);
        }
    }

    /** Shows the scroll pane of tensors, or hides it when there are none (the Text stage, an empty sentence). */
    private void showTensors(boolean any) {
        scroll.setVisible(any);
        scroll.setManaged(any);
    }

    private void showFormula(String latex) {
        FormulaView typeset = formulas.computeIfAbsent(latex, text -> {
            FormulaView view = new FormulaView(text);
            view.setId("stage-formula-view");
            return view;
        });
        formula.getChildren().setAll(typeset);
    }

    private void showSentenceText() {
        boolean textStage = context.stage().kind() == Stage.Kind.TEXT;
        sentenceText.setVisible(textStage);
        sentenceText.setManaged(textStage);
        sentenceText.setText(context.sentence().text());
    }

    private static boolean isHeadStage(Stage.Kind kind) {
        return switch (kind) {
            case QKV, SCORES, CAUSAL_MASK, ATTENTION_SOFTMAX, WEIGHTED_SUM, CROSS_QKV, CROSS_SCORES, CROSS_SOFTMAX,
                    CROSS_WEIGHTED_SUM -> true;
            default -> false;
        };
    }

    /** The sentence's ids and the most likely next tokens after its last position, in id order. */
    private int[] vocabularySubset(SentenceTrace run, int vocabulary) {
        TreeSet<Integer> ids = new TreeSet<>();
        for (int id : run.ids()) {
            ids.add(id);
        }
        DMatrixRMaj logits = run.trace().logits();                                     // [T, V]
        OutputDistribution next = OutputDistribution.of(logits, run.tokens() - 1, context.sampling(), TOP_NEXT_TOKENS);
        for (OutputDistribution.Candidate candidate : next.top()) {
            ids.add(candidate.id());
        }
        return ids.stream().mapToInt(Integer::intValue).filter(id -> id < vocabulary).toArray();
    }

    private HeatmapView newHeatmap(int index) {
        HeatmapView heatmap = new HeatmapView(context.messages());
        heatmap.getStyleClass().add("stage-heatmap");
        heatmap.setMaxSize(Region.USE_PREF_SIZE, Region.USE_PREF_SIZE);
        heatmap.hoveredCellProperty().addListener((observable, before, after) -> refreshExplanation());
        heatmap.pinnedCellProperty().addListener((observable, before, after) -> {
            if (after != null && !clearingPins) {
                clearingPins = true;
                for (HeatmapView other : pool) {
                    if (other != heatmap) {
                        other.pinnedCellProperty().set(null);
                    }
                }
                clearingPins = false;
            }
            refreshExplanation();
        });
        return heatmap;
    }

    /**
     * Puts the numbers of {@code binding}'s tensor into {@code heatmap}, with labels, colours and masking;
     * the numbers and labels are left as they are when the heatmap shows them already.
     */
    private void fill(HeatmapView heatmap, Binding binding, SentenceTrace run) {
        StageTensor tensor = binding.tensor();
        int rows = binding.rowIndices() == null ? tensor.rows() : binding.rowIndices().length;
        int columns = binding.columnIndices() == null ? tensor.columns() : binding.columnIndices().length;
        heatmap.setUserData(tensor.letter());       // not an id: changing an id restyles the whole heatmap
        heatmap.pinnedCellProperty().set(null);
        Filled now = new Filled(binding, run, context.weights(), context.model());
        if (now.sameAs(filled.get(heatmap))) {
            return;
        }
        filled.put(heatmap, now);
        heatmap.setColorScale(isProbability(tensor.ref()) ? ColorScale.SEQUENTIAL : ColorScale.DIVERGING);
        heatmap.setAutoRange();
        heatmap.cellSizeProperty().set(cellSize(rows, columns));
        putValues(heatmap, binding, run, rows, columns);
        heatmap.setRowLabels(labels(tensor.rowAxis(), binding.rowIndices(), rows, run));
        heatmap.setColumnLabels(labels(tensor.columnAxis(), binding.columnIndices(), columns, run));
        heatmap.setTitle(tensor.letter() + "  " + tensor.shapeText());
    }

    /**
     * Hands the tensor's numbers to {@code heatmap}: a weight straight from the parameter (no copy of a
     * 768×3072 matrix), a shortened vocabulary axis row by row, anything else as computed, causal cells masked.
     */
    private void putValues(HeatmapView heatmap, Binding binding, SentenceTrace run, int rows, int columns) {
        StageTensor tensor = binding.tensor();
        ModelConfig config = context.model().config();
        Parameters weights = context.weights();
        if (binding.rowIndices() == null && binding.columnIndices() == null
                && tensor.ref() instanceof TensorRef.Weight weight) {
            TensorValues.shape(weight, run, weights, config);                            // checks the columns exist
            DMatrixRMaj whole = weights.get(weight.name());                              // [R, N], not modified
            heatmap.setValues(whole.data, whole.numCols, weight.firstColumn(), rows, columns);
            return;
        }
        double[] values;
        int valueColumns;
        if (binding.rowIndices() != null) {
            values = new double[rows * columns];
            valueColumns = columns;
            for (int r = 0; r < rows; r++) {
                double[] row = TensorValues.row(tensor.ref(), binding.realRow(r), run, weights, config);
                for (int c = 0; c < columns; c++) {
                    values[r * columns + c] = row[binding.realColumn(c)];
                }
            }
        } else {
            DMatrixRMaj all = TensorValues.of(tensor.ref(), run, weights, config);     // [rows, all columns], a new matrix
            if (binding.columnIndices() == null) {
                values = all.data;
                valueColumns = all.numCols;
            } else {
                values = new double[rows * columns];
                valueColumns = columns;
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < columns; c++) {
                        values[r * columns + c] = all.data[r * all.numCols + binding.realColumn(c)];
                    }
                }
            }
        }
        if (isCausal(tensor.ref()) && !run.bidirectional()) {
            for (int r = 0; r < rows; r++) {
                for (int c = r + 1; c < columns; c++) {
                    values[r * valueColumns + c] = Double.NaN;                         // a later token: masked
                }
            }
        }
        heatmap.setValues(values, valueColumns, 0, rows, columns);
    }

    /**
     * Cell side for a {@code rows × columns} heatmap: {@value #MAX_CELL} pixels, smaller for large matrices, larger
     * (up to {@value #MAX_SMALL_CELL}) for a small one.
     */
    static double cellSize(int rows, int columns) {
        double fitting = Math.floor(Math.sqrt(PIXEL_BUDGET / ((double) rows * columns)));
        double general = Math.max(HeatmapView.MIN_CELL_SIZE, Math.min(MAX_CELL, fitting));
        int longer = Math.max(rows, columns);
        if (longer > SMALL_MATRIX_MAX_ROWS) {
            return general;
        }
        return Math.max(general, Math.min(MAX_SMALL_CELL, Math.floor(SMALL_MATRIX_SIDE / longer)));
    }

    /** Attention scores after the mask and the attention pattern: cells of later tokens are masked. */
    private static boolean isCausal(TensorRef ref) {
        return ref instanceof TensorRef.Hooked hooked
                && (hooked.key().hook() == Hook.ATTN_SCORES || hooked.key().hook() == Hook.PATTERN);
    }

    /** Probabilities and other non-negative quantities use the sequential scale, signed ones the diverging. */
    private static boolean isProbability(TensorRef ref) {
        if (ref instanceof TensorRef.Probabilities || ref instanceof TensorRef.OneHot || ref instanceof TensorRef.TokenIds) {
            return true;
        }
        if (ref instanceof TensorRef.Hooked hooked) {
            Hook hook = hooked.key().hook();
            return hook == Hook.PATTERN || hook == Hook.CROSS_PATTERN || hook == Hook.LN_CROSS_SCALE
                    || hook == Hook.LN1_SCALE || hook == Hook.LN2_SCALE
                    || hook == Hook.LN_FINAL_SCALE || hook == Hook.EXPERT_WEIGHTS || hook == Hook.EXPERT_INDICES;
        }
        return false;
    }

    private List<String> labels(Axis axis, int[] indices, int count, SentenceTrace run) {
        return switch (axis) {
            case TOKENS -> {
                List<String> tokens = new ArrayList<>(count);
                for (int t = 0; t < count; t++) {
                    tokens.add(TokenDisplay.of(context.model().tokenizer(), run.id(t)).text());
                }
                yield tokens;
            }
            case VOCAB -> {
                List<String> tokens = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    tokens.add(TokenDisplay.of(context.model().tokenizer(), indices == null ? i : indices[i]).text());
                }
                yield tokens;
            }
            case SOURCE_TOKENS -> {
                // the decoder's cross-attention names the source it reads; the encoder's own tokens are the source
                List<String> tokens = new ArrayList<>(count);
                int[] sourceIds = run.source() == null ? run.ids() : run.source().ids();
                Tokenizer tokenizer = run.source() == null ? context.model().tokenizer() : run.source().tokenizer();
                for (int t = 0; t < count; t++) {
                    tokens.add(TokenDisplay.of(tokenizer, sourceIds[t]).text());
                }
                yield tokens;
            }
            case NONE -> List.of();
            case DIMENSIONS, EXPERTS, CHOICES -> count > INDEX_LABEL_LIMIT ? List.of() : null;
        };
    }

    /** Lays the heatmaps out: one row of inputs, weights and outputs with operators; Q, K, V as three rows. */
    private List<Placement> layout(StageView view) {
        if (view.stage().kind() == Stage.Kind.QKV) {
            return queryKeyValueLayout();
        }
        List<Placement> row = new ArrayList<>();
        int column = 0;
        for (int i = 0; i < bindings.size(); i++) {
            if (i > 0) {
                String symbol = operatorBetween(view.stage().kind(), bindings.get(i - 1).tensor(), bindings.get(i).tensor());
                row.add(new Placement(operator(i - 1, symbol), column++, 0, 1));
            }
            row.add(new Placement(onScreen.get(i), column++, 0, 1));
        }
        return row;
    }

    private List<Placement> queryKeyValueLayout() {
        List<Placement> grid = new ArrayList<>();
        int operatorsUsed = 0;
        String[] letters = {"Q", "K", "V"};
        for (int i = 0; i < bindings.size(); i++) {
            StageTensor tensor = bindings.get(i).tensor();
            HeatmapView heatmap = onScreen.get(i);
            if (tensor.role() == Role.INPUT) {
                grid.add(new Placement(heatmap, 0, 0, 3));
                continue;
            }
            String letter = tensor.letter();
            for (int line = 0; line < letters.length; line++) {
                String base = letters[line];
                String symbol = null;
                int column = 0;
                if (letter.equals("W_" + base)) {
                    symbol = "·";
                    column = 1;
                } else if (letter.equals("b_" + base)) {
                    symbol = "+";
                    column = 3;
                } else if (letter.equals(base)) {
                    symbol = "=";
                    column = 5;
                } else if (letter.equals(base + "_rot")) {
                    symbol = "→";
                    column = 7;
                }
                if (symbol != null) {
                    grid.add(new Placement(operator(operatorsUsed++, symbol), column, line, 1));
                    grid.add(new Placement(heatmap, column + 1, line, 1));
                }
            }
        }
        return grid;
    }

    /** The symbol written between two neighbouring tensors of a stage. */
    static String operatorBetween(Stage.Kind kind, StageTensor left, StageTensor right) {
        boolean product = switch (kind) {
            case TOKEN_EMBEDDING, SCORES, WEIGHTED_SUM, CONCAT_PROJECT, FFN_UP, FFN_DOWN, ROUTER, LOGITS -> true;
            default -> false;
        };
        boolean sum = switch (kind) {
            case POSITION, ATTENTION_RESIDUAL, FFN_RESIDUAL -> true;
            default -> false;
        };
        if (right.role() == Role.OUTPUT) {
            return left.role() == Role.OUTPUT ? "," : product || sum ? "=" : "→";
        }
        if (kind == Stage.Kind.TOKEN_EMBEDDING && right.letter().equals("onehot")) {
            return "→";
        }
        if (kind == Stage.Kind.SCORES) {
            return "·ᵀ/√d";
        }
        if (sum) {
            return "+";
        }
        if (product) {
            return right.role() == Role.WEIGHT && left.role() == Role.WEIGHT ? "+" : "·";
        }
        return ",";
    }

    /** Operator label number {@code index} of the reused ones, showing {@code symbol}. */
    private Label operator(int index, String symbol) {
        while (operators.size() <= index) {
            Label label = new Label();
            label.getStyleClass().add("tensor-operator");
            label.setMinSize(Region.USE_PREF_SIZE, Region.USE_PREF_SIZE);
            operators.add(label);
        }
        Label label = operators.get(index);
        label.setText(symbol);
        return label;
    }

    private void highlightSelectedToken() {
        int token = context.selectedToken();
        SentenceTrace run = context.run();
        for (int i = 0; i < bindings.size(); i++) {
            Binding binding = bindings.get(i);
            int row = -1;
            if (token >= 0 && binding.tensor().rowAxis() == Axis.TOKENS) {
                row = token;
            } else if (token >= 0 && run != null && binding.tensor().rowAxis() == Axis.VOCAB) {
                int id = run.id(token);
                row = binding.rowIndices() == null ? id : Math.max(-1, Arrays.binarySearch(binding.rowIndices(), id));
            }
            onScreen.get(i).highlightedRowProperty().set(row);
        }
    }

    /** Explains the hovered cell, or else the pinned one. */
    private void refreshExplanation() {
        if (context == null || context.run() == null) {
            explanation.set("");
            return;
        }
        for (int i = 0; i < bindings.size(); i++) {
            Cell hovered = onScreen.get(i).hoveredCellProperty().get();
            if (hovered != null) {
                explanation.set(explain(bindings.get(i), hovered));
                return;
            }
        }
        for (int i = 0; i < bindings.size(); i++) {
            Cell pinned = onScreen.get(i).pinnedCellProperty().get();
            if (pinned != null) {
                explanation.set(explain(bindings.get(i), pinned));
                return;
            }
        }
        explanation.set("");
    }

    private String explain(Binding binding, Cell cell) {
        if (binding.tensor().ref() instanceof TensorRef.Hooked hooked && hooked.key().encoder()) {
            return context.messages().getString("encdec.explain.encoderSide");
        }
        CellExplanation explained = Explainer.explain(context.run(), context.weights(), context.model().config(),
                binding.tensor().ref(), binding.realRow(cell.row()), binding.realColumn(cell.col()));
        return formatter.format(explained);
    }
}
