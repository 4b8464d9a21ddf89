package org.stepwise.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** ReLU and both GELUs: values from their textbook formulas (computed in Python) and derivatives by finite differences. */
class ActivationsTest {

    /** x, ½x(1 + tanh(√(2/π)(x + 0.044715x³))), ½x·erfc(−x/√2); from Python's math module. */
    private static final double[][] REFERENCE = {
        {-6.0, -8.43964897967453e-11, -5.919525870226207e-09},
        {-3.0, -0.0036373920817729943, -0.004049694094890287},
        {-1.0, -0.15880800939172324, -0.15865525393145707},
        {-0.5, -0.15428599017485606, -0.15426876936299344},
        {0.0, 0.0, 0.0},
        {0.5, 0.34571400982514394, 0.34573123063700656},
        {1.0, 0.8411919906082768, 0.8413447460685429},
        {2.0, 1.954597694087775, 1.9544997361036416},
        {3.0, 2.996362607918227, 2.99595030590511},
    };

    @Test
    void geluValuesMatchTheirFormulas() {
        for (double[] row : REFERENCE) {
            assertEquals(row[1], Activations.geluTanh(row[0]), 1e-15 * Math.max(1, Math.abs(row[1])), "gelu_new(" + row[0] + ")");
            assertEquals(row[2], Activations.geluErf(row[0]), 1e-15 * Math.max(1, Math.abs(row[2])), "gelu(" + row[0] + ")");
        }
        assertEquals(0.8413447460685429, Activations.geluErf(1.0), 1e-16); // Φ(1)
    }

    @Test
    void farTailsStayFinite() {
        assertEquals(-0.0, Activations.geluTanh(-1e3), 0.0);
        assertEquals(1e3, Activations.geluTanh(1e3), 0.0);
        assertEquals(0.0, Activations.geluErf(-40), 0.0);
        assertEquals(0.0, Activations.geluTanhDerivative(-1e3), 0.0);
        assertEquals(1.0, Activations.geluErfDerivative(40), 0.0);
    }

    @Test
    void derivativesMatchFiniteDifferences() {
        double step = 1e-6;
        for (double x = -5; x <= 5; x += 0.173) {
            double tanhNumeric = (Activations.geluTanh(x + step) - Activations.geluTanh(x - step)) / (2 * step);
            double erfNumeric = (Activations.geluErf(x + step) - Activations.geluErf(x - step)) / (2 * step);
            double reluNumeric = (Activations.relu(x + step) - Activations.relu(x - step)) / (2 * step);
            assertEquals(tanhNumeric, Activations.geluTanhDerivative(x), 1e-9, "gelu_new' at " + x);
            assertEquals(erfNumeric, Activations.geluErfDerivative(x), 1e-9, "gelu' at " + x);
            assertEquals(reluNumeric, Activations.reluDerivative(x), 1e-9, "relu' at " + x);
        }
        assertEquals(0.0, Activations.reluDerivative(0.0));
    }

    @Test
    void matrixFormsApplyEachElementAndChainTheGradient() {
        DMatrixRMaj in = new DMatrixRMaj(new double[][] {{-1.5, 0.0, 2.0}, {0.3, -0.2, 4.0}});
        DMatrixRMaj dOut = new DMatrixRMaj(new double[][] {{1.0, 2.0, -1.0}, {0.5, 3.0, 1.0}});
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        DMatrixRMaj dIn = new DMatrixRMaj(1, 1);
        Activations.relu(in, out);
        Activations.reluBackward(in, dOut, dIn);
        assertEquals(0.0, out.get(0, 0));
        assertEquals(2.0, out.get(0, 2));
        assertEquals(0.0, dIn.get(0, 1));
        assertEquals(-1.0, dIn.get(0, 2));
        Activations.geluTanh(in, out);
        Activations.geluTanhBackward(in, dOut, dIn);
        assertEquals(Activations.geluTanh(0.3), out.get(1, 0));
        assertEquals(3.0 * Activations.geluTanhDerivative(-0.2), dIn.get(1, 1));
        Activations.geluErf(in, out);
        Activations.geluErfBackward(in, dOut, dIn);
        assertEquals(Activations.geluErf(4.0), out.get(1, 2));
        assertEquals(0.5 * Activations.geluErfDerivative(0.3), dIn.get(1, 0));
    }

    @Test
    void geluTanhWithItsSigmoidKeptGivesTheSameNumbersBitForBit() {
        java.util.Random random = new java.util.Random(3);
        DMatrixRMaj in = new DMatrixRMaj(4, 5);
        DMatrixRMaj dOut = new DMatrixRMaj(4, 5);
        for (int i = 0; i < in.data.length; i++) {
            in.data[i] = 6 * random.nextGaussian();
            dOut.data[i] = random.nextGaussian();
        }
        in.data[0] = 0.0;
        in.data[1] = -40.0;
        in.data[2] = 40.0;
        DMatrixRMaj plain = new DMatrixRMaj(1, 1);
        DMatrixRMaj kept = new DMatrixRMaj(1, 1);
        DMatrixRMaj sigmoid = new DMatrixRMaj(1, 1);
        Activations.geluTanh(in, plain);
        Activations.geluTanh(in, kept, sigmoid);
        assertArrayEquals(plain.data, kept.data, 0.0);
        DMatrixRMaj dPlain = new DMatrixRMaj(1, 1);
        DMatrixRMaj dKept = new DMatrixRMaj(1, 1);
        Activations.geluTanhBackward(in, dOut, dPlain);
        Activations.geluTanhBackward(in, sigmoid, dOut, dKept);
        assertArrayEquals(dPlain.data, dKept.data, 0.0);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Activations.geluTanh(in, kept, in));
    }
}
