package org.stepwise.tensor;

import org.ejml.data.DMatrixRMaj;

/**
 * Small element-wise and slicing operations the layers share: sums, bias rows, column sums and column
 * blocks (a head's slice of a wider matrix). Every product of matrices goes through {@link MatMul}.
 */
public final class Ops {
    private Ops() {
    }

    /**
     * out = a + b.
     *
     * @param a   [R, N] Not modified.
     * @param b   [R, N] Not modified.
     * @param out [R, N] Modified (reshaped); may be a or b.
     * @return out
     */
    public static DMatrixRMaj add(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj out) {
        Softmax.requireSameShape(a, b);
        out.reshape(a.numRows, a.numCols);
        for (int i = 0, n = a.getNumElements(); i < n; i++) {
            out.data[i] = a.data[i] + b.data[i];
        }
        return out;
    }

    /**
     * target += addend.
     *
     * @param target [R, N] Modified.
     * @param addend [R, N] Not modified.
     */
    public static void addInPlace(DMatrixRMaj target, DMatrixRMaj addend) {
        Softmax.requireSameShape(target, addend);
        for (int i = 0, n = target.getNumElements(); i < n; i++) {
            target.data[i] += addend.data[i];
        }
    }

    /**
     * m *= factor.
     *
     * @param m [R, N] Modified.
     */
    public static void scale(DMatrixRMaj m, double factor) {
        for (int i = 0, n = m.getNumElements(); i < n; i++) {
            m.data[i] *= factor;
        }
    }

    /**
     * Adds the row vector to every row of m (a bias): m[i, :] += vector.
     *
     * @param m      [R, N] Modified.
     * @param vector [1, N] Not modified.
     */
    public static void addRowVector(DMatrixRMaj m, DMatrixRMaj vector) {
        int cols = m.numCols;
        requireRow(vector, cols);
        for (int i = 0; i < m.numRows; i++) {
            int start = i * cols;
            for (int j = 0; j < cols; j++) {
                m.data[start + j] += vector.data[j];
            }
        }
    }

    /**
     * Adds the sum of each column of m to sums (a bias gradient): sums[j] += Σᵢ m[i, j].
     *
     * @param m    [R, N] Not modified.
     * @param sums [1, N] Modified.
     */
    public static void addColumnSums(DMatrixRMaj m, DMatrixRMaj sums) {
        int cols = m.numCols;
        requireRow(sums, cols);
        for (int i = 0; i < m.numRows; i++) {
            int start = i * cols;
            for (int j = 0; j < cols; j++) {
                sums.data[j] += m.data[start + j];
            }
        }
    }

    /**
     * target = source[:, first : first + width].
     *
     * @param source [R, N] Not modified.
     * @param target [R, width] Modified (reshaped).
     */
    public static void copyColumns(DMatrixRMaj source, int first, int width, DMatrixRMaj target) {
        if (first < 0 || first + width > source.numCols) {
            throw new IllegalArgumentException("columns [" + first + ", " + (first + width) + ") outside [0, "
                    + source.numCols + ")");
        }
        int rows = source.numRows;
        target.reshape(rows, width);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(source.data, i * source.numCols + first, target.data, i * width, width);
        }
    }

    /**
     * target[:, first : first + source.numCols] = source.
     *
     * @param source [R, W] Not modified.
     * @param target [R, N] Modified (only those columns).
     */
    public static void pasteColumns(DMatrixRMaj source, DMatrixRMaj target, int first) {
        int width = source.numCols;
        if (source.numRows != target.numRows || first < 0 || first + width > target.numCols) {
            throw new IllegalArgumentException("cannot paste [" + source.numRows + ", " + width + "] at column " + first
                    + " of [" + target.numRows + ", " + target.numCols + "]");
        }
        for (int i = 0; i < source.numRows; i++) {
            System.arraycopy(source.data, i * width, target.data, i * target.numCols + first, width);
        }
    }

    /**
     * target = source[firstRow : firstRow + rows, firstCol : firstCol + width] (one sequence's slice of
     * one head in a stack of sequences).
     *
     * @param source [R, N] Not modified.
     * @param target [rows, width] Modified (reshaped).
     */
    public static void copyBlock(DMatrixRMaj source, int firstRow, int rows, int firstCol, int width,
                                 DMatrixRMaj target) {
        if (firstRow < 0 || rows < 0 || firstRow + rows > source.numRows || firstCol < 0 || width < 0
                || firstCol + width > source.numCols) {
            throw new IllegalArgumentException("block rows [" + firstRow + ", " + (firstRow + rows) + ") × columns ["
                    + firstCol + ", " + (firstCol + width) + ") outside [" + source.numRows + ", " + source.numCols
                    + "]");
        }
        target.reshape(rows, width);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(source.data, (firstRow + i) * source.numCols + firstCol, target.data, i * width, width);
        }
    }

    /**
     * target[firstRow : firstRow + source.numRows, firstCol : firstCol + source.numCols] = source.
     *
     * @param source [rows, width] Not modified.
     * @param target [R, N] Modified (only that block).
     */
    public static void pasteBlock(DMatrixRMaj source, DMatrixRMaj target, int firstRow, int firstCol) {
        int rows = source.numRows;
        int width = source.numCols;
        if (firstRow < 0 || firstRow + rows > target.numRows || firstCol < 0 || firstCol + width > target.numCols) {
            throw new IllegalArgumentException("cannot paste [" + rows + ", " + width + "] at row " + firstRow
                    + ", column " + firstCol + " of [" + target.numRows + ", " + target.numCols + "]");
        }
        for (int i = 0; i < rows; i++) {
            System.arraycopy(source.data, i * width, target.data, (firstRow + i) * target.numCols + firstCol, width);
        }
    }

    /**
     * target[targetRow, :] = source[sourceRow, :].
     *
     * @param source [R, N] Not modified.
     * @param target [R', N] Modified (that row).
     */
    public static void copyRow(DMatrixRMaj source, int sourceRow, DMatrixRMaj target, int targetRow) {
        requireSameWidth(source, target);
        System.arraycopy(source.data, sourceRow * source.numCols, target.data, targetRow * target.numCols,
                source.numCols);
    }

    /**
     * target[targetRow, :] += factor · source[sourceRow, :].
     *
     * @param source [R, N] Not modified.
     * @param target [R', N] Modified (that row).
     */
    public static void addRow(DMatrixRMaj source, int sourceRow, double factor, DMatrixRMaj target, int targetRow) {
        requireSameWidth(source, target);
        int cols = source.numCols;
        int from = sourceRow * cols;
        int to = targetRow * cols;
        for (int j = 0; j < cols; j++) {
            target.data[to + j] += factor * source.data[from + j];
        }
    }

    /**
     * Σⱼ a[rowA, j]·b[rowB, j].
     *
     * @param a [R, N] Not modified.
     * @param b [R', N] Not modified.
     */
    public static double dotRows(DMatrixRMaj a, int rowA, DMatrixRMaj b, int rowB) {
        requireSameWidth(a, b);
        int cols = a.numCols;
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            sum += a.data[rowA * cols + j] * b.data[rowB * cols + j];
        }
        return sum;
    }

    private static void requireRow(DMatrixRMaj vector, int cols) {
        if (vector.numRows != 1 || vector.numCols != cols) {
            throw new IllegalArgumentException("expected a [1, " + cols + "] row, got [" + vector.numRows + ", "
                    + vector.numCols + "]");
        }
    }

    private static void requireSameWidth(DMatrixRMaj a, DMatrixRMaj b) {
        if (a.numCols != b.numCols) {
            throw new IllegalArgumentException("widths differ: " + a.numCols + " and " + b.numCols);
        }
    }
}
