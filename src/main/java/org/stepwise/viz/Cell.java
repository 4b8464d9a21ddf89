package org.stepwise.viz;

/** One cell of a heatmap, by its row and column (both counted from 0). */
public record Cell(int row, int col) {
    public Cell {
        if (row < 0 || col < 0) {
            throw new IllegalArgumentException("A cell has row and column ≥ 0, got (" + row + ", " + col + ")");
        }
    }
}
