package org.stepwise.tensor;

/**
 * The error function erf and its complement erfc to about 1e-15 relative accuracy, by W. J. Cody's
 * rational Chebyshev approximations ("Rational Chebyshev Approximations for the Error Function",
 * Mathematics of Computation 23, 1969, 631-638; the coefficients of his SPECFUN routine CALERF).
 *
 * <p>Three intervals of |x|: erf itself on [0, 0.46875]; erfc(y)·e^(y²) on (0.46875, 4]; an
 * asymptotic form in 1/y² beyond 4. erfc is computed directly (never as 1 − erf), so it stays
 * accurate in its tail, down to underflow near y = 26.5.
 */
public final class Erf {
    private Erf() {
    }

    private static final double ONE_OVER_SQRT_PI = 5.6418958354775628695e-1;
    private static final double SMALL_BREAK = 0.46875;
    /** Below this |x|, x² is negligible next to the leading coefficients. */
    private static final double TINY = 1.11e-16;
    /** erfc(x) underflows to 0 above this. */
    private static final double ERFC_UNDERFLOW = 26.543;

    private static final double[] A = {
        3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
        3.20937758913846947e03, 1.85777706184603153e-1};
    private static final double[] B = {
        2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
        2.84423683343917062e03};
    private static final double[] C = {
        5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
        2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
        2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8};
    private static final double[] D = {
        1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
        1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
        3.43936767414372164e03, 1.23033935480374942e03};
    private static final double[] P = {
        3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
        1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] Q = {
        2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
        6.05183413124413191e-2, 2.33520497626869185e-3};

    /** erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. NaN gives NaN. */
    public static double erf(double x) {
        double y = Math.abs(x);
        if (y <= SMALL_BREAK) {
            return x * smallRatio(y);
        }
        double tail = erfcOfPositive(y);
        return x < 0 ? tail - 1.0 : 1.0 - tail;
    }

    /** erfc(x) = 1 − erf(x), computed without cancellation for large x. NaN gives NaN. */
    public static double erfc(double x) {
        double y = Math.abs(x);
        if (y <= SMALL_BREAK) {
            return 1.0 - x * smallRatio(y);
        }
        double tail = erfcOfPositive(y);
        return x < 0 ? 2.0 - tail : tail;
    }

    /** erf(y)/y for 0 ≤ y ≤ 0.46875. */
    private static double smallRatio(double y) {
        double ySquared = y > TINY ? y * y : 0.0;
        double numerator = A[4] * ySquared;
        double denominator = ySquared;
        for (int i = 0; i < 3; i++) {
            numerator = (numerator + A[i]) * ySquared;
            denominator = (denominator + B[i]) * ySquared;
        }
        return (numerator + A[3]) / (denominator + B[3]);
    }

    /** erfc(y) for y > 0.46875 (NaN passes through). */
    private static double erfcOfPositive(double y) {
        double scaled; // erfc(y)·e^(y²)
        if (y <= 4.0) {
            double numerator = C[8] * y;
            double denominator = y;
            for (int i = 0; i < 7; i++) {
                numerator = (numerator + C[i]) * y;
                denominator = (denominator + D[i]) * y;
            }
            scaled = (numerator + C[7]) / (denominator + D[7]);
        } else if (y < ERFC_UNDERFLOW) {
            double inverseSquare = 1.0 / (y * y);
            double numerator = P[5] * inverseSquare;
            double denominator = inverseSquare;
            for (int i = 0; i < 4; i++) {
                numerator = (numerator + P[i]) * inverseSquare;
                denominator = (denominator + Q[i]) * inverseSquare;
            }
            double correction = inverseSquare * (numerator + P[4]) / (denominator + Q[4]);
            scaled = (ONE_OVER_SQRT_PI - correction) / y;
        } else {
            return y > 0 ? 0.0 : y; // underflow, or NaN
        }
        // e^(−y²) split as e^(−r²)·e^(−(y−r)(y+r)) with r = y rounded down to 1/16, so y² loses no bits
        double rounded = Math.floor(y * 16.0) / 16.0;
        double remainder = (y - rounded) * (y + rounded);
        return Math.exp(-rounded * rounded) * Math.exp(-remainder) * scaled;
    }
}
