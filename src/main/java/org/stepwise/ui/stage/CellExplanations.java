package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import javafx.beans.property.ObjectProperty;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;

import org.stepwise.pipeline.CellExplanation;
import org.stepwise.pipeline.Explainer;
import org.stepwise.pipeline.ExplanationFormatter;
import org.stepwise.pipeline.TensorRef;
import org.stepwise.viz.Cell;
import org.stepwise.viz.HeatmapView;

/**
 * Explains the numbers of one stage panel in the window's explanation line: for the cell under the mouse,
 * or the cell a click pinned (a pinned cell beats a hovered one), it asks {@link Explainer} how that number
 * of its tensor was computed, writes it with {@link ExplanationFormatter} and hands the line to
 * {@link StageActions#showExplanation}. A panel attaches each heatmap with the mapping from the heatmap's
 * cells to the tensor's real cells (a heatmap may show a window of rows or a subset of columns), and calls
 * {@link #show} from every {@link StagePanel#show}, so the line follows new weights and selections.
 * One cell is pinned at a time across the panel.
 */
final class CellExplanations {

    /** One number of a tensor of the trace: the tensor and the cell's real row and column in it. */
    record TensorCell(TensorRef tensor, int row, int column) {
        TensorCell {
            if (tensor == null || row < 0 || column < 0) {
                throw new IllegalArgumentException("a tensor cell needs a tensor and a row and column ≥ 0, got "
                        + tensor + ", " + row + ", " + column);
            }
        }
    }

    /** Which number a cell on screen shows; null when it shows none (e.g. the context has no trace). */
    @FunctionalInterface
    interface CellMapping {
        TensorCell tensorCell(Cell cell);
    }

    /** Something on screen whose cells can be hovered and pinned, with the numbers its cells show. */
    private record Target(ObservableValue<Cell> hovered, ObjectProperty<Cell> pinned, CellMapping mapping,
                          ChangeListener<Cell> hoverListener, ChangeListener<Cell> pinListener) {
    }

    private final List<Target> targets = new ArrayList<>();
    private StageContext context;
    private ResourceBundle formatterMessages;
    private ExplanationFormatter formatter;
    private boolean clearingPins;
    private boolean drawing;

    /** Explains the cells of {@code heatmap} (Modified: listened to) as the cells {@code mapping} names. */
    void attach(HeatmapView heatmap, CellMapping mapping) {
        attach(heatmap.hoveredCellProperty(), heatmap.pinnedCellProperty(), mapping);
    }

    /**
     * Explains the cells of any view that reports a hovered and a pinned cell, e.g. bars whose cell
     * (0, id) stands for the probability of token id.
     */
    void attach(ObservableValue<Cell> hovered, ObjectProperty<Cell> pinned, CellMapping mapping) {
        if (hovered == null || pinned == null || mapping == null) {
            throw new IllegalArgumentException("a hovered cell, a pinned cell and a mapping are required");
        }
        ChangeListener<Cell> hoverListener = (observable, before, after) -> announce();
        ChangeListener<Cell> pinListener = (observable, before, after) -> {
            if (after != null && !clearingPins) {
                unpinAllBut(pinned);
            }
            if (!clearingPins) {
                announce();
            }
        };
        targets.add(new Target(hovered, pinned, mapping, hoverListener, pinListener));
        hovered.addListener(hoverListener);
        pinned.addListener(pinListener);
    }

    /** Stops explaining every view attached so far (a panel that replaces its heatmaps attaches the new ones). */
    void detachAll() {
        for (Target target : targets) {
            target.hovered().removeListener(target.hoverListener());
            target.pinned().removeListener(target.pinListener());
        }
        targets.clear();
    }

    private void unpinAllBut(ObjectProperty<Cell> kept) {
        clearingPins = true;
        try {
            for (Target target : targets) {
                if (target.pinned() != kept) {
                    target.pinned().set(null);
                }
            }
        } finally {
            clearingPins = false;
        }
    }

    /**
     * Runs {@code draw} (the panel redrawing its heatmaps for {@code newContext}) without explaining the
     * half-drawn cells it passes through, then explains the pinned or hovered number with the new numbers.
     */
    void show(StageContext newContext, Runnable draw) {
        if (newContext == null || draw == null) {
            throw new IllegalArgumentException("a context and the drawing are required");
        }
        drawing = true;
        try {
            draw.run();
        } finally {
            drawing = false;
        }
        context = newContext;
        announce();
    }

    /** Explains again, after the panel changed what its cells show (e.g. scrolled a window of rows). */
    void refresh() {
        announce();
    }

    /** Unpins every cell (e.g. when the panel shows another sentence and the old cells mean nothing). */
    void clearPins() {
        unpinAllBut(null);
        announce();
    }

    /** The line the window shows now: the pinned cell's explanation, else the hovered cell's, else "". */
    String currentText() {
        if (context == null || context.run() == null) {
            return "";
        }
        TensorCell chosen = null;
        for (Target target : targets) {
            chosen = chosen != null ? chosen : mapped(target, target.pinned().getValue());
        }
        for (Target target : targets) {
            chosen = chosen != null ? chosen : mapped(target, target.hovered().getValue());
        }
        return chosen == null ? "" : explain(chosen);
    }

    private static TensorCell mapped(Target target, Cell cell) {
        return cell == null ? null : target.mapping().tensorCell(cell);
    }

    /** How one number of the context's trace was computed, as one line. */
    String explain(TensorCell cell) {
        if (formatter == null || formatterMessages != context.messages()) {
            formatterMessages = context.messages();
            formatter = new ExplanationFormatter(formatterMessages);
        }
        CellExplanation explained = Explainer.explain(context.run(), context.weights(), context.model().config(),
                cell.tensor(), cell.row(), cell.column());
        return formatter.format(explained);
    }

    private void announce() {
        if (context != null && !drawing && context.actions().isOnScreen(context)) {
            context.actions().showExplanation(currentText());
        }
    }
}
