package org.stepwise.tensor;

import org.ejml.data.DMatrixRMaj;

/**
 * The fixed position vectors of the original transformer ("Attention Is All You Need", section 3.5):
 * PE[p, 2i] = sin(p·ωᵢ), PE[p, 2i+1] = cos(p·ωᵢ), with ωᵢ = 10000^(−2i/C).
 */
public final class SinusoidalPositions {
    private SinusoidalPositions() {
    }

    /** Base of the wavelengths: ωᵢ = BASE^(−2i/C). */
    public static final double BASE = 10000.0;

    /**
     * A new table [positions, width]; row p is the vector added to the token at position p.
     * With an odd width the last column is a sine.
     */
    public static DMatrixRMaj table(int positions, int width) {
        if (positions < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "table needs positive positions and width, got " + positions + " × " + width);
        }
        DMatrixRMaj table = new DMatrixRMaj(positions, width);
        for (int p = 0; p < positions; p++) {
            for (int i = 0; 2 * i < width; i++) {
                double angle = p * Math.pow(BASE, -2.0 * i / width);
                table.set(p, 2 * i, Math.sin(angle));
                if (2 * i + 1 < width) {
                    table.set(p, 2 * i + 1, Math.cos(angle));
                }
            }
        }
        return table;
    }
}
