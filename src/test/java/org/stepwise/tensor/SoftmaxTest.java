package org.stepwise.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Row softmax: sums, masked cells, extreme values and the backward pass against finite differences. */
class SoftmaxTest {

    @Test
    void rowsSumToOneAndMaskedCellsAreExactlyZero() {
        double inf = Double.NEGATIVE_INFINITY;
        DMatrixRMaj scores = new DMatrixRMaj(new double[][] {{0.3, inf, inf}, {1.0, 2.0, inf}, {-1.0, 0.0, 1.0}});
        DMatrixRMaj p = new DMatrixRMaj(1, 1);
        Softmax.rows(scores, p);
        assertEquals(1.0, p.get(0, 0), 0.0);
        assertEquals(0.0, p.get(0, 1), 0.0);
        assertEquals(0.0, p.get(1, 2), 0.0);
        assertEquals(1.0 / (1.0 + Math.E), p.get(1, 0), 1e-16);
        double sum = p.get(2, 0) + p.get(2, 1) + p.get(2, 2);
        assertEquals(1.0, sum, 1e-15);
        assertEquals(Math.exp(1) / (Math.exp(-1) + 1 + Math.exp(1)), p.get(2, 2), 1e-15);
    }

    @Test
    void hugeScoresDoNotOverflow() {
        DMatrixRMaj scores = new DMatrixRMaj(new double[][] {{1000.0, 1001.0}, {-1e308, -1e308}});
        DMatrixRMaj p = new DMatrixRMaj(1, 1);
        Softmax.rows(scores, p);
        assertEquals(1.0 / (1.0 + Math.E), p.get(0, 0), 1e-15);
        assertEquals(0.5, p.get(1, 1), 0.0);
        assertEquals(1001.0 + Math.log(1 + Math.exp(-1)), Softmax.logSumExp(scores, 0), 1e-12);
    }

    @Test
    void aRowWithNothingFiniteBecomesNaN() {
        double inf = Double.NEGATIVE_INFINITY;
        DMatrixRMaj scores = new DMatrixRMaj(new double[][] {{inf, inf}, {Double.NaN, 1.0}, {1.0, Double.POSITIVE_INFINITY}, {0.0, 0.0}});
        DMatrixRMaj p = new DMatrixRMaj(4, 2);
        Softmax.rows(scores, p);
        for (int row = 0; row < 3; row++) {
            assertTrue(Double.isNaN(p.get(row, 0)) && Double.isNaN(p.get(row, 1)), "row " + row);
        }
        assertEquals(0.5, p.get(3, 0), 0.0);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        Random random = new Random(3);
        DMatrixRMaj scores = new DMatrixRMaj(3, 5);
        DMatrixRMaj upstream = new DMatrixRMaj(3, 5); // ∂L/∂p for L = Σ upstream ⊙ p
        for (int i = 0; i < 15; i++) {
            scores.data[i] = random.nextGaussian();
            upstream.data[i] = random.nextGaussian();
        }
        scores.set(0, 4, Double.NEGATIVE_INFINITY);
        DMatrixRMaj p = new DMatrixRMaj(1, 1);
        Softmax.rows(scores, p);
        DMatrixRMaj dScores = new DMatrixRMaj(1, 1);
        Softmax.rowsBackward(p, upstream, dScores);
        assertEquals(0.0, dScores.get(0, 4), 0.0);
        double step = 1e-6;
        for (int i = 0; i < 15; i++) {
            if (i == 4) {
                continue;
            }
            double original = scores.data[i];
            scores.data[i] = original + step;
            double plus = weightedSum(scores, upstream);
            scores.data[i] = original - step;
            double minus = weightedSum(scores, upstream);
            scores.data[i] = original;
            assertEquals((plus - minus) / (2 * step), dScores.data[i], 1e-9, "cell " + i);
        }
    }

    private static double weightedSum(DMatrixRMaj scores, DMatrixRMaj weights) {
        DMatrixRMaj p = new DMatrixRMaj(1, 1);
        Softmax.rows(scores, p);
        double sum = 0;
        for (int i = 0; i < p.getNumElements(); i++) {
            sum += p.data[i] * weights.data[i];
        }
        return sum;
    }
}
