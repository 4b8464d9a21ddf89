package org.stepwise.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the six products of {@link MatMul} against EJML's CommonOps_DDRM on many shapes. */
class MatMulTest {

    /** Allowed error relative to Σ_p |a_ip|·|b_pj|, the size of the terms each result sums. */
    private static final double RELATIVE_TOLERANCE = 1e-12;

    /** The six products, each with its EJML counterpart and which operands are read transposed. */
    enum Product {
        MULT(false, false, false, MatMul::mult, CommonOps_DDRM::mult),
        MULT_ADD(false, false, true, MatMul::multAdd, CommonOps_DDRM::multAdd),
        MULT_TRANS_B(false, true, false, MatMul::multTransB, CommonOps_DDRM::multTransB),
        MULT_ADD_TRANS_B(false, true, true, MatMul::multAddTransB, CommonOps_DDRM::multAddTransB),
        MULT_TRANS_A(true, false, false, MatMul::multTransA, CommonOps_DDRM::multTransA),
        MULT_ADD_TRANS_A(true, false, true, MatMul::multAddTransA, CommonOps_DDRM::multAddTransA);

        final boolean transposeA;
        final boolean transposeB;
        final boolean accumulate;
        final Op ours;
        final Op reference;

        Product(boolean transposeA, boolean transposeB, boolean accumulate, Op ours, Op reference) {
            this.transposeA = transposeA;
            this.transposeB = transposeB;
            this.accumulate = accumulate;
            this.ours = ours;
            this.reference = reference;
        }

        /** a as stored: [m, k], or [k, m] when read transposed. */
        DMatrixRMaj newA(int m, int k) {
            return transposeA ? new DMatrixRMaj(k, m) : new DMatrixRMaj(m, k);
        }

        /** b as stored: [k, n], or [n, k] when read transposed. */
        DMatrixRMaj newB(int k, int n) {
            return transposeB ? new DMatrixRMaj(n, k) : new DMatrixRMaj(k, n);
        }
    }

    @FunctionalInterface
    interface Op {
        void apply(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c);
    }

    /** {m, k, n} for c [m, n] = [m, k]·[k, n]: tiny, odd, not multiples of the unroll, the model's, large. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 1, 5}, {5, 1, 1}, {1, 5, 1}, {2, 3, 4}, {5, 7, 3}, {3, 7, 5}, {7, 5, 3},
        {4, 4, 4}, {3, 4, 5}, {6, 9, 2}, {9, 2, 6}, {1, 64, 192}, {17, 13, 9}, {13, 17, 33},
        {31, 33, 29}, {65, 63, 67}, {10, 3, 100}, {100, 3, 10},
        {64, 64, 192}, {64, 64, 64}, {64, 64, 256}, {64, 256, 64}, {64, 16, 64}, {64, 64, 16},
        {64, 192, 64}, {256, 64, 64}, {64, 256, 256}, {192, 64, 64},
        // Larger than one panel block (256 deep, 256 wide), in both directions.
        {5, 520, 300}, {300, 520, 5}, {2, 3, 600}, {600, 3, 2}, {3, 257, 3},
    };

    static Stream<Arguments> productsAndShapes() {
        List<Arguments> cases = new ArrayList<>();
        for (Product product : Product.values()) {
            for (int[] shape : SHAPES) {
                cases.add(Arguments.of(product, shape[0], shape[1], shape[2]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("productsAndShapes")
    void matchesEjml(Product product, int m, int k, int n) {
        Random random = new Random(31L * m + 17L * k + n + product.ordinal());
        DMatrixRMaj a = random(product.newA(m, k), random);
        DMatrixRMaj b = random(product.newB(k, n), random);
        DMatrixRMaj start = random(new DMatrixRMaj(m, n), random);

        DMatrixRMaj expected = start.copy();
        product.reference.apply(a, b, expected);
        DMatrixRMaj actual = start.copy();
        product.ours.apply(a, b, actual);

        assertClose(expected, actual, termScale(product, a, b, start), product + " " + m + "×" + k + "×" + n);
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("productsAndShapes")
    void bothOrientationsMatchEjml(Product product, int m, int k, int n) {
        Random random = new Random(7L * m + 5L * k + 3L * n + product.ordinal());
        DMatrixRMaj a = random(product.newA(m, k), random);
        DMatrixRMaj b = random(product.newB(k, n), random);
        DMatrixRMaj start = random(new DMatrixRMaj(m, n), random);
        DMatrixRMaj expected = start.copy();
        product.reference.apply(a, b, expected);
        DMatrixRMaj scale = termScale(product, a, b, start);
        for (MatMul.Orientation orientation : MatMul.Orientation.values()) {
            DMatrixRMaj actual = start.copy();
            MatMul.product(a, product.transposeA, b, product.transposeB, actual, product.accumulate, orientation);
            assertClose(expected, actual, scale, product + " " + orientation + " " + m + "×" + k + "×" + n);
        }
    }

    @Test
    void randomShapesMatchEjml() {
        Random random = new Random(20240607);
        for (int trial = 0; trial < 300; trial++) {
            Product product = Product.values()[trial % Product.values().length];
            int m = 1 + random.nextInt(70);
            int k = 1 + random.nextInt(70);
            int n = 1 + random.nextInt(70);
            DMatrixRMaj a = random(product.newA(m, k), random);
            DMatrixRMaj b = random(product.newB(k, n), random);
            DMatrixRMaj start = random(new DMatrixRMaj(m, n), random);
            DMatrixRMaj expected = start.copy();
            product.reference.apply(a, b, expected);
            DMatrixRMaj actual = start.copy();
            product.ours.apply(a, b, actual);
            assertClose(expected, actual, termScale(product, a, b, start), product + " " + m + "×" + k + "×" + n);
        }
    }

    @Test
    void overwritingProductsIgnoreWhatCHeld() {
        Random random = new Random(5);
        for (Product product : Product.values()) {
            if (product.accumulate) {
                continue;
            }
            DMatrixRMaj a = random(product.newA(6, 5), random);
            DMatrixRMaj b = random(product.newB(5, 7), random);
            DMatrixRMaj fromNaN = new DMatrixRMaj(6, 7);
            Arrays.fill(fromNaN.data, Double.NaN);
            DMatrixRMaj fromZero = new DMatrixRMaj(6, 7);
            product.ours.apply(a, b, fromNaN);
            product.ours.apply(a, b, fromZero);
            assertArrayEquals(fromZero.data, fromNaN.data, product.toString());
        }
    }

    @Test
    void handComputedProducts() {
        DMatrixRMaj a = new DMatrixRMaj(new double[][] {{1, 2, 3}, {4, 5, 6}}); // [2, 3]
        DMatrixRMaj b = new DMatrixRMaj(new double[][] {{7, 8}, {9, 10}, {11, 12}}); // [3, 2]
        DMatrixRMaj c = new DMatrixRMaj(2, 2);
        MatMul.mult(a, b, c); // [2, 3]·[3, 2] → [2, 2]
        assertArrayEquals(new double[] {58, 64, 139, 154}, c.data, "a·b");
        MatMul.multAdd(a, b, c);
        assertArrayEquals(new double[] {116, 128, 278, 308}, c.data, "c + a·b");

        DMatrixRMaj square = new DMatrixRMaj(3, 3);
        MatMul.multTransA(a, a, square); // [2, 3]ᵀ·[2, 3] → [3, 3]
        assertArrayEquals(new double[] {17, 22, 27, 22, 29, 36, 27, 36, 45}, square.data, "aᵀ·a");
        DMatrixRMaj gram = new DMatrixRMaj(2, 2);
        MatMul.multTransB(a, a, gram); // [2, 3]·[2, 3]ᵀ → [2, 2]
        assertArrayEquals(new double[] {14, 32, 32, 77}, gram.data, "a·aᵀ");
    }

    @Test
    void emptyInnerDimensionGivesZeroOrLeavesCAlone() {
        DMatrixRMaj a = new DMatrixRMaj(3, 0);
        DMatrixRMaj b = new DMatrixRMaj(0, 4);
        DMatrixRMaj c = new DMatrixRMaj(3, 4);
        Arrays.fill(c.data, 2.5);
        MatMul.multAdd(a, b, c);
        for (double value : c.data) {
            assertEquals(2.5, value);
        }
        MatMul.mult(a, b, c);
        for (double value : c.data) {
            assertEquals(0.0, value);
        }
    }

    @Test
    void usesOnlyTheLogicalPartOfReshapedMatrices() {
        Random random = new Random(11);
        DMatrixRMaj a = random(new DMatrixRMaj(20, 20), random);
        DMatrixRMaj b = random(new DMatrixRMaj(20, 20), random);
        DMatrixRMaj c = new DMatrixRMaj(20, 20);
        a.reshape(5, 7, true);
        b.reshape(7, 3, true);
        c.reshape(5, 3);
        DMatrixRMaj expected = new DMatrixRMaj(5, 3);
        CommonOps_DDRM.mult(new DMatrixRMaj(a), new DMatrixRMaj(b), expected);
        MatMul.mult(a, b, c);
        DMatrixRMaj scale = new DMatrixRMaj(5, 3);
        CommonOps_DDRM.mult(abs(a), abs(b), scale);
        assertClose(expected, c, scale, "reshaped 5×7·7×3");
    }

    @Test
    void theBackendIsTheJavaKernelOrAnOptimizedLibrary() {
        String backend = MatMul.backend();
        assertTrue(backend.equals("java") || backend.matches("lib(openblas|blis|mkl).*"), backend);
    }

    @Test
    void wrongShapesAreRejectedWithTheShapes() {
        DMatrixRMaj a = new DMatrixRMaj(5, 7);
        DMatrixRMaj b = new DMatrixRMaj(7, 3);
        IllegalArgumentException wrongC = assertThrows(IllegalArgumentException.class,
                () -> MatMul.mult(a, b, new DMatrixRMaj(5, 4)));
        assertTrue(wrongC.getMessage().contains("[5, 7]") && wrongC.getMessage().contains("[7, 3]")
                && wrongC.getMessage().contains("[5, 4]"), wrongC.getMessage());
        IllegalArgumentException wrongInner = assertThrows(IllegalArgumentException.class,
                () -> MatMul.multAdd(a, new DMatrixRMaj(6, 3), new DMatrixRMaj(5, 3)));
        assertTrue(wrongInner.getMessage().contains("7 ≠ 6"), wrongInner.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MatMul.multTransB(a, b, new DMatrixRMaj(5, 3)));
        assertThrows(IllegalArgumentException.class, () -> MatMul.multAddTransB(a, new DMatrixRMaj(3, 7), new DMatrixRMaj(3, 5)));
        assertThrows(IllegalArgumentException.class, () -> MatMul.multTransA(a, b, new DMatrixRMaj(7, 3)));
        assertThrows(IllegalArgumentException.class, () -> MatMul.multAddTransA(a, new DMatrixRMaj(5, 3), new DMatrixRMaj(5, 3)));
        assertThrows(IllegalArgumentException.class, () -> MatMul.mult(null, b, new DMatrixRMaj(5, 3)));
        // The transposed forms accept the shapes that fit them.
        MatMul.multTransB(a, new DMatrixRMaj(3, 7), new DMatrixRMaj(5, 3));
        MatMul.multTransA(a, new DMatrixRMaj(5, 3), new DMatrixRMaj(7, 3));
    }

    @Test
    void cMayNotBeAnOperand() {
        DMatrixRMaj square = new DMatrixRMaj(4, 4);
        DMatrixRMaj other = new DMatrixRMaj(4, 4);
        assertThrows(IllegalArgumentException.class, () -> MatMul.mult(square, other, square));
        assertThrows(IllegalArgumentException.class, () -> MatMul.multAddTransA(other, square, square));
    }

    @Test
    void twoThreadsAtOnceGetTheirOwnScratch() throws Exception {
        int[][] shapes = {{64, 64, 192}, {64, 16, 64}, {64, 256, 64}, {256, 64, 64}, {64, 64, 16}};
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int worker = 0; worker < 2; worker++) {
                int seed = worker;
                Callable<Boolean> job = () -> {
                    Random random = new Random(100 + seed);
                    for (int round = 0; round < 40; round++) {
                        int[] shape = shapes[(round + seed) % shapes.length];
                        Product product = Product.values()[(round * 5 + seed) % Product.values().length];
                        DMatrixRMaj a = random(product.newA(shape[0], shape[1]), random);
                        DMatrixRMaj b = random(product.newB(shape[1], shape[2]), random);
                        DMatrixRMaj start = random(new DMatrixRMaj(shape[0], shape[2]), random);
                        DMatrixRMaj expected = start.copy();
                        product.reference.apply(a, b, expected);
                        DMatrixRMaj actual = start.copy();
                        product.ours.apply(a, b, actual);
                        DMatrixRMaj scale = termScale(product, a, b, start);
                        for (int index = 0; index < expected.getNumElements(); index++) {
                            double error = Math.abs(expected.data[index] - actual.data[index]);
                            if (!(error <= RELATIVE_TOLERANCE * scale.data[index])) {
                                return false;
                            }
                        }
                    }
                    return true;
                };
                results.add(pool.submit(job));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get(), "a product computed on two threads at once differs from EJML");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void operandsAreNotModified() {
        Random random = new Random(3);
        for (Product product : Product.values()) {
            DMatrixRMaj a = random(product.newA(9, 6), random);
            DMatrixRMaj b = random(product.newB(6, 4), random);
            DMatrixRMaj aBefore = a.copy();
            DMatrixRMaj bBefore = b.copy();
            product.ours.apply(a, b, new DMatrixRMaj(9, 4));
            assertArrayEquals(aBefore.data, a.data, product + " changed a");
            assertArrayEquals(bBefore.data, b.data, product + " changed b");
        }
    }

    /** Σ_p |op(a)_ip|·|op(b)_pj| (+ |c_ij| for the accumulating forms), at least 1e-300. */
    private static DMatrixRMaj termScale(Product product, DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj start) {
        DMatrixRMaj scale = start.createLike();
        product.reference.apply(abs(a), abs(b), scale);
        for (int index = 0; index < scale.getNumElements(); index++) {
            double carried = product.accumulate ? Math.abs(start.data[index]) : 0.0;
            scale.data[index] = Math.max(scale.data[index] + carried, 1e-300);
        }
        return scale;
    }

    private static void assertClose(DMatrixRMaj expected, DMatrixRMaj actual, DMatrixRMaj scale, String what) {
        assertEquals(expected.numRows, actual.numRows, what);
        assertEquals(expected.numCols, actual.numCols, what);
        for (int index = 0; index < expected.getNumElements(); index++) {
            double error = Math.abs(expected.data[index] - actual.data[index]);
            double relative = error / scale.data[index];
            assertFalse(Double.isNaN(actual.data[index]), what + ": NaN at " + index);
            assertTrue(relative <= RELATIVE_TOLERANCE, what + ": element " + index + " is "
                    + actual.data[index] + ", EJML gives " + expected.data[index] + " (relative error " + relative + ")");
        }
    }

    private static void assertArrayEquals(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int index = 0; index < expected.length; index++) {
            assertEquals(expected[index], actual[index], 0.0, what + " at " + index);
        }
    }

    private static DMatrixRMaj random(DMatrixRMaj matrix, Random random) {
        for (int index = 0; index < matrix.getNumElements(); index++) {
            matrix.data[index] = random.nextGaussian();
        }
        return matrix;
    }

    private static DMatrixRMaj abs(DMatrixRMaj matrix) {
        DMatrixRMaj result = new DMatrixRMaj(matrix.numRows, matrix.numCols);
        for (int index = 0; index < matrix.getNumElements(); index++) {
            result.data[index] = Math.abs(matrix.data[index]);
        }
        return result;
    }
}
