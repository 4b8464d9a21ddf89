package org.stepwise.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** The sinusoidal position table and the RoPE rotation: values, inverse, and the relative-position property. */
class PositionsTest {

    @Test
    void sinusoidalTableFollowsThePaper() {
        DMatrixRMaj table = SinusoidalPositions.table(50, 5);
        assertEquals(0.0, table.get(0, 0), 0.0);
        assertEquals(1.0, table.get(0, 1), 0.0);
        assertEquals(Math.sin(7), table.get(7, 0), 1e-15);
        assertEquals(Math.cos(7), table.get(7, 1), 1e-15);
        assertEquals(Math.sin(7 / Math.pow(10000, 2.0 / 5)), table.get(7, 2), 1e-15);
        assertEquals(Math.cos(7 / Math.pow(10000, 2.0 / 5)), table.get(7, 3), 1e-15);
        assertEquals(Math.sin(49 / Math.pow(10000, 4.0 / 5)), table.get(49, 4), 1e-15); // odd width: last column is a sine
    }

    @Test
    void ropeRotatesNeighbouringPairs() {
        RotaryEmbedding rope = new RotaryEmbedding(4, 4, 100.0);
        DMatrixRMaj x = new DMatrixRMaj(new double[][] {{1, 2, 3, 4}, {1, 0, 0, 1}, {1, 2, 3, 4}});
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        rope.rotate(x, out);
        for (int j = 0; j < 4; j++) {
            assertEquals(x.get(0, j), out.get(0, j), 0.0, "position 0 is not rotated");
        }
        // position 1: pair 0 turns by 1 radian, pair 1 by 100^(−1/2) = 0.1 radian
        assertEquals(Math.cos(1), out.get(1, 0), 1e-15);
        assertEquals(Math.sin(1), out.get(1, 1), 1e-15);
        assertEquals(-Math.sin(0.1), out.get(1, 2), 1e-15);
        assertEquals(Math.cos(0.1), out.get(1, 3), 1e-15);
        // position 2, pair 1: (3, 4) turned by 0.2 radian
        assertEquals(3 * Math.cos(0.2) - 4 * Math.sin(0.2), out.get(2, 2), 1e-14);
        assertEquals(3 * Math.sin(0.2) + 4 * Math.cos(0.2), out.get(2, 3), 1e-14);
    }

    @Test
    void ropeTransposeUndoesTheRotationInPlace() {
        RotaryEmbedding rope = new RotaryEmbedding(6, 8, 10000.0);
        DMatrixRMaj x = random(6, 8, new Random(2));
        DMatrixRMaj y = x.copy();
        rope.rotate(y, y);
        rope.rotateTranspose(y, y);
        for (int i = 0; i < x.getNumElements(); i++) {
            assertEquals(x.data[i], y.data[i], 1e-14);
        }
    }

    @Test
    void ropeScoresDependOnlyOnTheDistance() {
        RotaryEmbedding rope = new RotaryEmbedding(8, 6, 10000.0);
        Random random = new Random(9);
        DMatrixRMaj q = random(1, 6, random);
        DMatrixRMaj k = random(1, 6, random);
        // the same q at every position, the same k at every position
        DMatrixRMaj qs = new DMatrixRMaj(8, 6);
        DMatrixRMaj ks = new DMatrixRMaj(8, 6);
        for (int p = 0; p < 8; p++) {
            Ops.copyRow(q, 0, qs, p);
            Ops.copyRow(k, 0, ks, p);
        }
        rope.rotate(qs, qs);
        rope.rotate(ks, ks);
        double distanceTwo = Ops.dotRows(qs, 2, ks, 0);
        assertEquals(distanceTwo, Ops.dotRows(qs, 5, ks, 3), 1e-13);
        assertEquals(distanceTwo, Ops.dotRows(qs, 7, ks, 5), 1e-13);
    }

    @Test
    void ropeRejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(4, 3, 10000.0));
        RotaryEmbedding rope = new RotaryEmbedding(4, 4, 10000.0);
        assertThrows(IllegalArgumentException.class, () -> rope.rotate(new DMatrixRMaj(5, 4), new DMatrixRMaj(1, 1)));
        assertThrows(IllegalArgumentException.class, () -> rope.rotate(new DMatrixRMaj(2, 6), new DMatrixRMaj(1, 1)));
    }

    private static DMatrixRMaj random(int rows, int cols, Random random) {
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < m.getNumElements(); i++) {
            m.data[i] = random.nextGaussian();
        }
        return m;
    }
}
