package org.stepwise.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Checks erf and erfc against values from the C library's erf/erfc (as Python's math module returns them). */
class ErfTest {

    /** x, erf(x), erfc(x), printed by {@code math.erf} / {@code math.erfc} of CPython 3 on glibc. */
    private static final double[][] REFERENCE = {
        {0.0, 0.0, 1.0},
        {1e-300, 1.1283791670955126e-300, 1.0},
        {1e-20, 1.1283791670955125e-20, 1.0},
        {1e-08, 1.1283791670955126e-08, 0.9999999887162083},
        {0.001, 0.0011283787909692365, 0.9988716212090307},
        {0.1, 0.1124629160182849, 0.8875370839817152},
        {0.25, 0.2763263901682369, 0.7236736098317631},
        {0.46875, 0.49261347321793797, 0.507386526782062},
        {0.47, 0.4937450508860821, 0.5062549491139179},
        {0.5, 0.5204998778130465, 0.4795001221869535},
        {0.75, 0.7111556336535151, 0.28884436634648486},
        {1.0, 0.8427007929497149, 0.15729920705028513},
        {1.5, 0.9661051464753108, 0.033894853524689274},
        {2.0, 0.9953222650189527, 0.004677734981047265},
        {2.5, 0.999593047982555, 0.0004069520174449589},
        {3.0, 0.9999779095030014, 2.2090496998585438e-05},
        {3.9, 0.9999999652077514, 3.479224859723177e-08},
        {4.0, 0.9999999845827421, 1.541725790028002e-08},
        {4.1, 0.9999999932999724, 6.700027654084918e-09},
        {5.0, 0.9999999999984626, 1.5374597944280351e-12},
        {6.0, 1.0, 2.1519736712498916e-17},
        {8.0, 1.0, 1.1224297172982928e-29},
        {10.0, 1.0, 2.088487583762545e-45},
        {15.0, 1.0, 7.212994172451206e-100},
        {20.0, 1.0, 5.3958656116079005e-176},
        {26.0, 1.0, 5.663192408856143e-296},
        {27.0, 1.0, 5.23705e-319},
        {-0.3, -0.3286267594591274, 1.3286267594591274},
        {-1.0, -0.8427007929497149, 1.842700792949715},
        {-2.5, -0.999593047982555, 1.999593047982555},
        {-4.5, -0.9999999998033839, 1.999999999803384},
        {-6.0, -1.0, 2.0},
    };

    @Test
    void matchesTheCLibraryToAboutOneInTenToTheFifteen() {
        for (double[] row : REFERENCE) {
            double x = row[0];
            assertClose(row[1], Erf.erf(x), "erf(" + x + ")");
            assertClose(row[2], Erf.erfc(x), "erfc(" + x + ")");
        }
    }

    @Test
    void isOddAndComplementary() {
        for (double x = -7; x <= 7; x += 0.0137) {
            assertEquals(-Erf.erf(x), Erf.erf(-x), 0.0, "erf is odd at " + x);
            assertEquals(1.0, Erf.erf(x) + Erf.erfc(x), 2e-16, "erf + erfc = 1 at " + x);
        }
    }

    @Test
    void limitsAndNaN() {
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertTrue(Double.isNaN(Erf.erfc(Double.NaN)));
    }

    private static void assertClose(double expected, double actual, String what) {
        double tolerance = 1e-15 * Math.abs(expected) + 1e-300; // the last term covers erfc's subnormal tail
        assertTrue(Math.abs(actual - expected) <= tolerance,
                what + " = " + actual + ", expected " + expected + " (relative error "
                        + Math.abs(actual - expected) / Math.abs(expected) + ")");
    }
}
