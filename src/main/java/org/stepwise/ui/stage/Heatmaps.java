package org.stepwise.ui.stage;

import java.util.Arrays;

import org.ejml.data.DMatrixRMaj;

import org.stepwise.viz.HeatmapView;

/** Small helpers for putting matrices into heatmaps at a readable cell size. */
final class Heatmaps {
    private Heatmaps() {
    }

    /** Shows {@code matrix} (Not modified) in {@code view} (Modified.). */
    static void show(HeatmapView view, DMatrixRMaj matrix) {
        int count = matrix.numRows * matrix.numCols;
        double[] values = matrix.data.length == count ? matrix.data : Arrays.copyOf(matrix.data, count);
        view.setValues(values, matrix.numRows, matrix.numCols);
    }

    /**
     * The cell size that fits {@code rows × cols} cells into about {@code width × height} pixels, between
     * {@code smallest} and {@code largest} pixels.
     */
    static double fittingCellSize(int rows, int cols, double width, double height, double smallest, double largest) {
        double fit = Math.min(width / Math.max(1, cols), height / Math.max(1, rows));
        return Math.max(smallest, Math.min(largest, Math.floor(fit * 2) / 2));
    }
}
