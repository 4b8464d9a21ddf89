package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.List;

import javafx.scene.layout.Region;
import javafx.scene.shape.Rectangle;

import org.stepwise.viz.Cell;
import org.stepwise.viz.HeatmapView;

/**
 * A heatmap with several rows framed at once (e.g. the rows of the embedding matrix a sentence looks up),
 * drawn as outlines over the heatmap's own cells so they follow its zoom.
 */
final class MarkedHeatmap extends Region {

    private final HeatmapView heatmap;
    private final List<Rectangle> frames = new ArrayList<>();
    private int[] markedRows = new int[0];

    MarkedHeatmap(HeatmapView heatmap) {
        this.heatmap = heatmap;
        getChildren().add(heatmap);
    }

    HeatmapView heatmap() {
        return heatmap;
    }

    /** Frames these rows of the heatmap (indices outside it are ignored). Not modified: {@code rows}. */
    void setMarkedRows(int[] rows) {
        markedRows = rows.clone();
        while (frames.size() < markedRows.length) {
            Rectangle frame = new Rectangle();
            frame.getStyleClass().add("stage-row-mark");
            frame.setMouseTransparent(true);
            frames.add(frame);
            getChildren().add(frame);
        }
        requestLayout();
    }

    /** The rows framed now. */
    int[] markedRows() {
        return markedRows.clone();
    }

    @Override
    protected double computePrefWidth(double height) {
        return heatmap.prefWidth(height);
    }

    @Override
    protected double computePrefHeight(double width) {
        return heatmap.prefHeight(width);
    }

    @Override
    protected double computeMinWidth(double height) {
        return heatmap.minWidth(height);
    }

    @Override
    protected double computeMinHeight(double width) {
        return heatmap.minHeight(width);
    }

    @Override
    protected void layoutChildren() {
        heatmap.resizeRelocate(0, 0, getWidth(), getHeight());
        heatmap.layout();
        int columns = heatmap.columnCount();
        for (int i = 0; i < frames.size(); i++) {
            Rectangle frame = frames.get(i);
            boolean shown = i < markedRows.length && markedRows[i] >= 0 && markedRows[i] < heatmap.rowCount()
                    && columns > 0;
            frame.setVisible(shown);
            if (shown) {
                var first = heatmap.cellBounds(new Cell(markedRows[i], 0));
                var last = heatmap.cellBounds(new Cell(markedRows[i], columns - 1));
                frame.setX(first.getMinX() - 1);
                frame.setY(first.getMinY() - 0.5);
                frame.setWidth(last.getMaxX() - first.getMinX() + 2);
                frame.setHeight(Math.max(2, first.getHeight() + 1));
            }
        }
    }
}
