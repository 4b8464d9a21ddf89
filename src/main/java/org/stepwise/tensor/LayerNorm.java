package org.stepwise.tensor;

import org.ejml.data.DMatrixRMaj;

/**
 * Layer normalisation over the features of each row (each token) and its backward pass:
 * y = γ ⊙ (x − μ)/√(σ² + ε) + β, with μ and the biased variance σ² taken over the C entries of the row.
 */
public final class LayerNorm {
    private LayerNorm() {
    }

    /**
     * Normalises every row of {@code x}.
     *
     * @param x            [T, C] Not modified.
     * @param gamma        [1, C] γ. Not modified.
     * @param beta         [1, C] β. Not modified.
     * @param epsilon      ε &gt; 0 added to the variance
     * @param standardized [T, C] x̂ = (x − μ)/√(σ² + ε). Modified (reshaped).
     * @param scale        [T, 1] √(σ² + ε) of each row. Modified (reshaped).
     * @param out          [T, C] γ ⊙ x̂ + β. Modified (reshaped); may be {@code x} itself.
     */
    public static void forward(DMatrixRMaj x, DMatrixRMaj gamma, DMatrixRMaj beta, double epsilon,
                               DMatrixRMaj standardized, DMatrixRMaj scale, DMatrixRMaj out) {
        int rows = x.numRows;
        int cols = x.numCols;
        requireVector(gamma, cols, "gamma");
        requireVector(beta, cols, "beta");
        standardized.reshape(rows, cols);
        scale.reshape(rows, 1);
        out.reshape(rows, cols);
        double[] in = x.data;
        double[] xhat = standardized.data;
        double[] y = out.data;
        double[] g = gamma.data;
        double[] b = beta.data;
        for (int i = 0; i < rows; i++) {
            int start = i * cols;
            double mean = 0;
            for (int j = 0; j < cols; j++) {
                mean += in[start + j];
            }
            mean /= cols;
            double variance = 0;
            for (int j = 0; j < cols; j++) {
                double centered = in[start + j] - mean;
                variance += centered * centered;
            }
            variance /= cols;
            double std = Math.sqrt(variance + epsilon);
            double inverseStd = 1.0 / std;
            scale.data[i] = std;
            for (int j = 0; j < cols; j++) {
                double normalized = (in[start + j] - mean) * inverseStd;
                xhat[start + j] = normalized;
                y[start + j] = g[j] * normalized + b[j];
            }
        }
    }

    /**
     * Backward pass of {@link #forward}. With g = ∂L/∂y ⊙ γ:
     * ∂L/∂x = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / √(σ² + ε) per row;
     * ∂L/∂γ = Σ_rows ∂L/∂y ⊙ x̂;  ∂L/∂β = Σ_rows ∂L/∂y.
     *
     * @param dOut         [T, C] ∂L/∂y. Not modified.
     * @param standardized [T, C] x̂ from the forward pass. Not modified.
     * @param scale        [T, 1] √(σ² + ε) from the forward pass. Not modified.
     * @param gamma        [1, C] Not modified.
     * @param dX           [T, C] ∂L/∂x. Modified (reshaped, overwritten); may be {@code dOut} itself.
     * @param dGamma       [1, C] Modified: ∂L/∂γ is added to it.
     * @param dBeta        [1, C] Modified: ∂L/∂β is added to it.
     */
    public static void backward(DMatrixRMaj dOut, DMatrixRMaj standardized, DMatrixRMaj scale, DMatrixRMaj gamma,
                                DMatrixRMaj dX, DMatrixRMaj dGamma, DMatrixRMaj dBeta) {
        int rows = dOut.numRows;
        int cols = dOut.numCols;
        Softmax.requireSameShape(dOut, standardized);
        requireVector(gamma, cols, "gamma");
        requireVector(dGamma, cols, "dGamma");
        requireVector(dBeta, cols, "dBeta");
        dX.reshape(rows, cols);
        double[] dy = dOut.data;
        double[] xhat = standardized.data;
        double[] g = gamma.data;
        double[] dx = dX.data;
        double[] dg = dGamma.data;
        double[] db = dBeta.data;
        for (int i = 0; i < rows; i++) {
            int start = i * cols;
            double meanGrad = 0;
            double meanGradTimesXhat = 0;
            for (int j = 0; j < cols; j++) {
                double grad = dy[start + j] * g[j];
                meanGrad += grad;
                meanGradTimesXhat += grad * xhat[start + j];
                dg[j] += dy[start + j] * xhat[start + j];
                db[j] += dy[start + j];
            }
            meanGrad /= cols;
            meanGradTimesXhat /= cols;
            double inverseStd = 1.0 / scale.data[i];
            for (int j = 0; j < cols; j++) {
                double grad = dy[start + j] * g[j];
                dx[start + j] = (grad - meanGrad - xhat[start + j] * meanGradTimesXhat) * inverseStd;
            }
        }
    }

    private static void requireVector(DMatrixRMaj v, int cols, String name) {
        if (v.numRows != 1 || v.numCols != cols) {
            throw new IllegalArgumentException(name + " must be [1, " + cols + "], got [" + v.numRows + ", "
                    + v.numCols + "]");
        }
    }
}
