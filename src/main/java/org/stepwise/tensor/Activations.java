package org.stepwise.tensor;

import org.ejml.data.DMatrixRMaj;

/**
 * The feed-forward network's activation functions and their derivatives, element by element:
 * ReLU, GELU in GPT-2's tanh approximation ("gelu_new") and the exact GELU x·Φ(x).
 *
 * <p>Matrix forms: {@code in} is Not modified, {@code out} is Modified (reshaped to in's shape) and
 * may be {@code in} itself. Backward forms compute dIn = dOut ⊙ f'(in); {@code in} and {@code dOut}
 * are Not modified, {@code dIn} is Modified (reshaped) and may be {@code dOut} itself.
 */
public final class Activations {
    private Activations() {
    }

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_CUBIC = 0.044715;
    private static final double INVERSE_SQRT_2 = 1.0 / Math.sqrt(2.0);
    private static final double INVERSE_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    /** max(0, x). */
    public static double relu(double x) {
        return x > 0 ? x : 0.0;
    }

    /** 1 for x &gt; 0, else 0 (the derivative at 0 is taken as 0). */
    public static double reluDerivative(double x) {
        return x > 0 ? 1.0 : 0.0;
    }

    /**
     * GPT-2's GELU: ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³). Computed as x·σ(2u), which is the
     * same number (½(1 + tanh u) = 1/(1 + e^(−2u))) without cancellation for negative x.
     */
    public static double geluTanh(double x) {
        double u = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
        return x / (1.0 + Math.exp(-2.0 * u));
    }

    /** d/dx of {@link #geluTanh}: s + 2x·s(1 − s)·u', with s = σ(2u) and u' = √(2/π)(1 + 3·0.044715x²). */
    public static double geluTanhDerivative(double x) {
        double u = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
        double s = 1.0 / (1.0 + Math.exp(-2.0 * u));
        double du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x);
        return s + 2.0 * x * s * (1.0 - s) * du;
    }

    /** The exact GELU x·Φ(x) = ½x·erfc(−x/√2), with Φ the standard normal distribution function. */
    public static double geluErf(double x) {
        return 0.5 * x * Erf.erfc(-x * INVERSE_SQRT_2);
    }

    /** d/dx of {@link #geluErf}: Φ(x) + x·φ(x), φ the standard normal density. */
    public static double geluErfDerivative(double x) {
        return 0.5 * Erf.erfc(-x * INVERSE_SQRT_2) + x * INVERSE_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** out = relu(in), [R, N] → [R, N]. */
    public static void relu(DMatrixRMaj in, DMatrixRMaj out) {
        out.reshape(in.numRows, in.numCols);
        for (int i = 0, n = in.getNumElements(); i < n; i++) {
            out.data[i] = relu(in.data[i]);
        }
    }

    /** dIn = dOut ⊙ relu'(in), [R, N]. */
    public static void reluBackward(DMatrixRMaj in, DMatrixRMaj dOut, DMatrixRMaj dIn) {
        Softmax.requireSameShape(in, dOut);
        dIn.reshape(in.numRows, in.numCols);
        for (int i = 0, n = in.getNumElements(); i < n; i++) {
            dIn.data[i] = in.data[i] > 0 ? dOut.data[i] : 0.0;
        }
    }

    /** out = geluTanh(in), [R, N] → [R, N]. */
    public static void geluTanh(DMatrixRMaj in, DMatrixRMaj out) {
        out.reshape(in.numRows, in.numCols);
        for (int i = 0, n = in.getNumElements(); i < n; i++) {
            out.data[i] = geluTanh(in.data[i]);
        }
    }

    /**
     * out = geluTanh(in) as {@link #geluTanh(DMatrixRMaj, DMatrixRMaj)}, and also keeps
     * sigmoid = σ(2u) of every entry so that {@link #geluTanhBackward(DMatrixRMaj, DMatrixRMaj,
     * DMatrixRMaj, DMatrixRMaj)} needs no second exponential. [R, N] → [R, N];
     * {@code sigmoid}: Modified (reshaped), not {@code in} or {@code out}.
     */
    public static void geluTanh(DMatrixRMaj in, DMatrixRMaj out, DMatrixRMaj sigmoid) {
        if (sigmoid == in || sigmoid == out) {
            throw new IllegalArgumentException("sigmoid must be a matrix of its own");
        }
        int count = in.getNumElements();
        out.reshape(in.numRows, in.numCols);
        sigmoid.reshape(in.numRows, in.numCols);
        for (int i = 0; i < count; i++) {
            double x = in.data[i];
            double u = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
            double denominator = 1.0 + Math.exp(-2.0 * u);
            out.data[i] = x / denominator;                      // the same number as geluTanh(x)
            sigmoid.data[i] = 1.0 / denominator;                // σ(2u)
        }
    }

    /**
     * dIn = dOut ⊙ geluTanh'(in), [R, N], with σ(2u) taken from the forward pass: the same numbers
     * as {@link #geluTanhBackward(DMatrixRMaj, DMatrixRMaj, DMatrixRMaj)}. {@code sigmoid}: Not modified.
     */
    public static void geluTanhBackward(DMatrixRMaj in, DMatrixRMaj sigmoid, DMatrixRMaj dOut, DMatrixRMaj dIn) {
        Softmax.requireSameShape(in, dOut);
        Softmax.requireSameShape(in, sigmoid);
        dIn.reshape(in.numRows, in.numCols);
        for (int i = 0, n = in.getNumElements(); i < n; i++) {
            double x = in.data[i];
            double s = sigmoid.data[i];
            double du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x);
            dIn.data[i] = dOut.data[i] * (s + 2.0 * x * s * (1.0 - s) * du);
        }
    }

    /** dIn = dOut ⊙ geluTanh'(in), [R, N]. */
    public static void geluTanhBackward(DMatrixRMaj in, DMatrixRMaj dOut, DMatrixRMaj dIn) {
        Softmax.requireSameShape(in, dOut);
        dIn.reshape(in.numRows, in.numCols);
        for (int i = 0, n = in.getNumElements(); i < n; i++) {
            dIn.data[i] = dOut.data[i] * geluTanhDerivative(in.data[i]);
        }
    }

    /** out = geluErf(in), [R, N] → [R, N]. */
    public static void geluErf(DMatrixRMaj in, DMatrixRMaj out) {
        out.reshape(in.numRows, in.numCols);
        for (int i = 0, n = in.getNumElements(); i < n; i++) {
            out.data[i] = geluErf(in.data[i]);
        }
    }

    /** dIn = dOut ⊙ geluErf'(in), [R, N]. */
    public static void geluErfBackward(DMatrixRMaj in, DMatrixRMaj dOut, DMatrixRMaj dIn) {
        Softmax.requireSameShape(in, dOut);
        dIn.reshape(in.numRows, in.numCols);
        for (int i = 0, n = in.getNumElements(); i < n; i++) {
            dIn.data[i] = dOut.data[i] * geluErfDerivative(in.data[i]);
        }
    }
}
