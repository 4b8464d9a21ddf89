package org.stepwise.tensor;

import org.ejml.data.DMatrixRMaj;

/** Softmax over each row of a matrix and its backward pass, as attention and the output layer use them. */
public final class Softmax {
    private Softmax() {
    }

    /**
     * out[i, j] = e^(in[i, j] − mᵢ) / Σⱼ' e^(in[i, j'] − mᵢ) with mᵢ the largest entry of row i, so no
     * exponential overflows; an entry of −∞ (a masked attention score) gives exactly 0.
     *
     * @param in  [R, N] Not modified.
     * @param out [R, N] Modified (reshaped); may be {@code in} itself.
     * A row with no finite largest entry (all −∞, +∞ present, or NaN) — which only weights that have
     * diverged produce — becomes all NaN, so the loss turns NaN and the trainer's divergence guard sees it.
     */
    public static void rows(DMatrixRMaj in, DMatrixRMaj out) {
        int rows = in.numRows;
        int cols = in.numCols;
        out.reshape(rows, cols);
        double[] source = in.data;
        double[] target = out.data;
        for (int i = 0; i < rows; i++) {
            int start = i * cols;
            int end = start + cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = start; j < end; j++) {
                if (source[j] > max) {
                    max = source[j];
                }
            }
            if (!Double.isFinite(max)) {
                java.util.Arrays.fill(target, start, end, Double.NaN);
                continue;
            }
            double sum = 0;
            for (int j = start; j < end; j++) {
                double e = source[j] == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(source[j] - max);
                target[j] = e;
                sum += e;
            }
            double inverse = 1.0 / sum;
            for (int j = start; j < end; j++) {
                target[j] *= inverse;
            }
        }
    }

    /**
     * Backward pass of {@link #rows}: with p = softmax(s) per row,
     * ∂L/∂s = p ⊙ (∂L/∂p − Σⱼ pⱼ ∂L/∂pⱼ).
     * Cells where p is exactly 0 (masked scores) get exactly 0.
     *
     * @param probabilities [R, N] the output of {@link #rows}. Not modified.
     * @param dProbabilities [R, N] ∂L/∂p. Not modified.
     * @param dScores [R, N] ∂L/∂s. Modified (reshaped); may be {@code dProbabilities} itself.
     */
    public static void rowsBackward(DMatrixRMaj probabilities, DMatrixRMaj dProbabilities, DMatrixRMaj dScores) {
        int rows = probabilities.numRows;
        int cols = probabilities.numCols;
        requireSameShape(probabilities, dProbabilities);
        dScores.reshape(rows, cols);
        double[] p = probabilities.data;
        double[] dp = dProbabilities.data;
        double[] ds = dScores.data;
        for (int i = 0; i < rows; i++) {
            int start = i * cols;
            int end = start + cols;
            double weighted = 0;
            for (int j = start; j < end; j++) {
                weighted += p[j] * dp[j];
            }
            for (int j = start; j < end; j++) {
                ds[j] = p[j] * (dp[j] - weighted);
            }
        }
    }

    /**
     * log Σⱼ e^(m[row, j]), with the row maximum subtracted first.
     *
     * @param m [R, N] Not modified.
     */
    public static double logSumExp(DMatrixRMaj m, int row) {
        int cols = m.numCols;
        int start = row * cols;
        double[] d = m.data;
        double max = rowMax(m, row);
        double sum = 0;
        for (int j = start; j < start + cols; j++) {
            sum += Math.exp(d[j] - max);
        }
        return max + Math.log(sum);
    }

    /**
     * The largest entry of m[row, :], the shift that keeps e^(entry − max) from overflowing.
     *
     * @param m [R, N] Not modified.
     * @throws IllegalArgumentException when the row has no finite largest entry (±∞)
     */
    public static double rowMax(DMatrixRMaj m, int row) {
        int cols = m.numCols;
        int start = row * cols;
        double[] d = m.data;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = start; j < start + cols; j++) {
            if (d[j] > max) {
                max = d[j];
            }
        }
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("row " + row + " has no finite largest entry (" + max + ")");
        }
        return max;
    }

    static void requireSameShape(DMatrixRMaj a, DMatrixRMaj b) {
        if (a.numRows != b.numRows || a.numCols != b.numCols) {
            throw new IllegalArgumentException("shapes differ: [" + a.numRows + ", " + a.numCols + "] and ["
                    + b.numRows + ", " + b.numCols + "]");
        }
    }
}
