package org.stepwise.train;

import java.util.Arrays;

import org.ejml.data.DMatrixRMaj;

import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;

/**
 * What the last update did to the weights: ΔW = W after − W before for any weight matrix, and which rows of a
 * matrix moved at all — for the token embedding, which tokens' vectors the update touched.
 *
 * <p>Holds the two sets of weights (copies that nobody modifies) and computes each ΔW on request, so publishing
 * a change costs nothing until a view asks for a matrix.
 */
public final class WeightChange {

    private final Parameters before;
    private final Parameters after;
    private final long update;

    /**
     * @param before the weights just before the update; Not modified, and must not be modified afterwards
     * @param after  the weights just after it, same layout; Not modified, and must not be modified afterwards
     * @param update the number of the update (1 for the first), 0 when there has been none
     */
    public WeightChange(Parameters before, Parameters after, long update) {
        if (!before.names().equals(after.names())) {
            throw new IllegalArgumentException("the weights before and after an update must have the same names");
        }
        this.before = before;
        this.after = after;
        this.update = update;
    }

    /** No change yet: before and after are the same weights. */
    public static WeightChange none(Parameters weights) {
        return new WeightChange(weights, weights, 0);
    }

    /** The number of the update this change comes from; 0 when there has been none. */
    public long update() {
        return update;
    }

    public Parameters before() {
        return before;
    }

    public Parameters after() {
        return after;
    }

    /** ΔW of {@code name} as a new matrix of the weight's shape ([1, N] for a vector). */
    public DMatrixRMaj delta(String name) {
        DMatrixRMaj old = before.get(name);                          // [rows, cols]
        DMatrixRMaj current = after.get(name);                       // [rows, cols]
        DMatrixRMaj change = new DMatrixRMaj(current.numRows, current.numCols);
        for (int i = 0, n = current.getNumElements(); i < n; i++) {
            change.data[i] = current.data[i] - old.data[i];
        }
        return change;
    }

    /** ‖Δrow‖ for every row of {@code name}: [rows]. */
    public double[] rowChangeNorms(String name) {
        DMatrixRMaj old = before.get(name);                          // [rows, cols]
        DMatrixRMaj current = after.get(name);                       // [rows, cols]
        double[] norms = new double[current.numRows];
        for (int row = 0; row < current.numRows; row++) {
            double sum = 0;
            for (int col = 0, index = row * current.numCols; col < current.numCols; col++, index++) {
                double difference = current.data[index] - old.data[index];
                sum += difference * difference;
            }
            norms[row] = Math.sqrt(sum);
        }
        return norms;
    }

    /** The rows of {@code name} with ‖Δrow‖ > 0, ascending. */
    public int[] movedRows(String name) {
        double[] norms = rowChangeNorms(name);
        return java.util.stream.IntStream.range(0, norms.length).filter(row -> norms[row] > 0).toArray();
    }

    /** The token ids whose embedding vector (row of {@code wte.weight}) moved in this update, ascending. */
    public int[] movedEmbeddingRows() {
        return movedRows(ParameterLayout.TOKEN_EMBEDDING);
    }

    /** Largest |ΔW| over the matrix {@code name}, for scaling a heatmap; 0 when nothing moved. */
    public double largestChange(String name) {
        DMatrixRMaj old = before.get(name);
        DMatrixRMaj current = after.get(name);
        double largest = 0;
        for (int i = 0, n = current.getNumElements(); i < n; i++) {
            largest = Math.max(largest, Math.abs(current.data[i] - old.data[i]));
        }
        return largest;
    }

    @Override
    public String toString() {
        return "WeightChange[update " + update + ", embedding rows moved " + Arrays.toString(movedEmbeddingRows()) + "]";
    }
}
