package org.stepwise.tensor;

import org.ejml.data.DMatrixRMaj;

/**
 * Rotary position embedding (RoPE, Su et al. 2021): the query or key vector of the token at position p
 * is cut into pairs of neighbouring entries (2i, 2i+1), and pair i is rotated by the angle p·θᵢ with
 * θᵢ = base^(−2i/D). This is the interleaved-pair convention of the RoFormer paper (not the half-split
 * "rotate_half" layout some libraries use). Since rotations compose, q_p·k_s depends only on p − s.
 *
 * <p>Holds the cosines and sines [positions, D/2] for every position up to a maximum, computed once.
 */
public final class RotaryEmbedding {

    private final int headDim;
    private final DMatrixRMaj cos; // [positions, D/2]
    private final DMatrixRMaj sin; // [positions, D/2]

    /**
     * @param positions largest sequence length to rotate
     * @param headDim   D, even
     * @param base      θ base (10000 in the paper)
     */
    public RotaryEmbedding(int positions, int headDim, double base) {
        if (positions < 1 || headDim < 2 || headDim % 2 != 0 || !(base > 0)) {
            throw new IllegalArgumentException("RoPE needs positions ≥ 1, an even head size ≥ 2 and base > 0; got "
                    + positions + ", " + headDim + ", " + base);
        }
        this.headDim = headDim;
        int pairs = headDim / 2;
        cos = new DMatrixRMaj(positions, pairs);
        sin = new DMatrixRMaj(positions, pairs);
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < pairs; i++) {
                double angle = p * Math.pow(base, -2.0 * i / headDim);
                cos.set(p, i, Math.cos(angle));
                sin.set(p, i, Math.sin(angle));
            }
        }
    }

    public int headDim() {
        return headDim;
    }

    /** Largest sequence length this table covers. */
    public int positions() {
        return cos.numRows;
    }

    /**
     * Rotates row p of {@code in} by the angles of position p:
     * (a, b) → (a·cos − b·sin, a·sin + b·cos) on each pair.
     *
     * @param in  [T, D] Not modified.
     * @param out [T, D] Modified (reshaped); may be {@code in} itself.
     */
    public void rotate(DMatrixRMaj in, DMatrixRMaj out) {
        apply(in, out, 1.0);
    }

    /**
     * The inverse rotation, which is also the transpose of {@link #rotate}: the backward pass maps
     * ∂L/∂(rotated) to ∂L/∂(unrotated) with it. (a, b) → (a·cos + b·sin, −a·sin + b·cos).
     *
     * @param in  [T, D] Not modified.
     * @param out [T, D] Modified (reshaped); may be {@code in} itself.
     */
    public void rotateTranspose(DMatrixRMaj in, DMatrixRMaj out) {
        apply(in, out, -1.0);
    }

    private void apply(DMatrixRMaj in, DMatrixRMaj out, double direction) {
        int rows = in.numRows;
        if (in.numCols != headDim) {
            throw new IllegalArgumentException("RoPE expects " + headDim + " columns, got " + in.numCols);
        }
        if (rows > cos.numRows) {
            throw new IllegalArgumentException("RoPE table covers " + cos.numRows + " positions, got " + rows);
        }
        out.reshape(rows, headDim);
        int pairs = headDim / 2;
        double[] source = in.data;
        double[] target = out.data;
        for (int p = 0; p < rows; p++) {
            int row = p * headDim;
            int angles = p * pairs;
            for (int i = 0; i < pairs; i++) {
                double c = cos.data[angles + i];
                double s = direction * sin.data[angles + i];
                double even = source[row + 2 * i];
                double odd = source[row + 2 * i + 1];
                target[row + 2 * i] = even * c - odd * s;
                target[row + 2 * i + 1] = even * s + odd * c;
            }
        }
    }
}
