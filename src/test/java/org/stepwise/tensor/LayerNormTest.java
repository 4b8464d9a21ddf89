package org.stepwise.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** LayerNorm over the features of each row: values by hand and the backward pass against finite differences. */
class LayerNormTest {

    @Test
    void normalisesEachRowByHand() {
        DMatrixRMaj x = new DMatrixRMaj(new double[][] {{1, 2, 3, 6}, {-2, -2, 2, 2}});
        DMatrixRMaj gamma = new DMatrixRMaj(new double[][] {{1, 2, 1, 1}});
        DMatrixRMaj beta = new DMatrixRMaj(new double[][] {{0, 0, 0, 0.5}});
        DMatrixRMaj xhat = new DMatrixRMaj(1, 1);
        DMatrixRMaj scale = new DMatrixRMaj(1, 1);
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        LayerNorm.forward(x, gamma, beta, 1e-5, xhat, scale, out);
        // row 0: mean 3, variance (4 + 1 + 0 + 9)/4 = 3.5
        double std0 = Math.sqrt(3.5 + 1e-5);
        assertEquals(std0, scale.get(0, 0), 1e-15);
        assertEquals(-2 / std0, out.get(0, 0), 1e-15);
        assertEquals(2 * -1 / std0, out.get(0, 1), 1e-15);
        assertEquals(0.0, out.get(0, 2), 1e-15);
        assertEquals(3 / std0 + 0.5, out.get(0, 3), 1e-15);
        // row 1: mean 0, variance 4
        assertEquals(Math.sqrt(4 + 1e-5), scale.get(1, 0), 1e-15);
        assertEquals(2 / Math.sqrt(4 + 1e-5), xhat.get(1, 3), 1e-15);
        assertEquals(2, scale.numRows);
        assertEquals(1, scale.numCols);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        Random random = new Random(5);
        int rows = 3;
        int cols = 6;
        DMatrixRMaj x = random(rows, cols, random);
        DMatrixRMaj gamma = random(1, cols, random);
        DMatrixRMaj beta = random(1, cols, random);
        DMatrixRMaj upstream = random(rows, cols, random); // L = Σ upstream ⊙ LN(x)
        DMatrixRMaj xhat = new DMatrixRMaj(1, 1);
        DMatrixRMaj scale = new DMatrixRMaj(1, 1);
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        LayerNorm.forward(x, gamma, beta, 1e-5, xhat, scale, out);
        DMatrixRMaj dX = new DMatrixRMaj(1, 1);
        DMatrixRMaj dGamma = new DMatrixRMaj(1, cols);
        DMatrixRMaj dBeta = new DMatrixRMaj(1, cols);
        dGamma.fill(0.25); // gradients are added to what is there
        LayerNorm.backward(upstream, xhat, scale, gamma, dX, dGamma, dBeta);
        for (DMatrixRMaj[] pair : new DMatrixRMaj[][] {{x, dX}, {gamma, dGamma}, {beta, dBeta}}) {
            DMatrixRMaj values = pair[0];
            for (int i = 0; i < values.getNumElements(); i++) {
                double original = values.data[i];
                values.data[i] = original + 1e-6;
                double plus = objective(x, gamma, beta, upstream);
                values.data[i] = original - 1e-6;
                double minus = objective(x, gamma, beta, upstream);
                values.data[i] = original;
                double expected = (plus - minus) / 2e-6 + (pair[1] == dGamma ? 0.25 : 0.0);
                assertEquals(expected, pair[1].data[i], 1e-8);
            }
        }
    }

    private static double objective(DMatrixRMaj x, DMatrixRMaj gamma, DMatrixRMaj beta, DMatrixRMaj upstream) {
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        LayerNorm.forward(x, gamma, beta, 1e-5, new DMatrixRMaj(1, 1), new DMatrixRMaj(1, 1), out);
        double sum = 0;
        for (int i = 0; i < out.getNumElements(); i++) {
            sum += out.data[i] * upstream.data[i];
        }
        return sum;
    }

    private static DMatrixRMaj random(int rows, int cols, Random random) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = random.nextGaussian();
        }
        return m;
    }
}
