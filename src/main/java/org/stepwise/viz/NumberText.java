package org.stepwise.viz;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Short text for numbers on legends and axes: three significant digits, no trailing zeros. */
final class NumberText {
    private NumberText() {
    }

    /** {@code 0.5} → "0.5", {@code -1.23456} → "-1.23", {@code 123456} → "1.23e+05". */
    static String compact(double value) {
        if (value == 0) {
            return "0";
        }
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-3 && magnitude < 1e4) {
            return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.2e", value);
    }

    /** A probability as a percentage: 0.4213 → "42.1%", 0.0042 → "0.42%", below 0.01% → "<0.01%". */
    static String percent(double probability) {
        if (probability > 0 && probability < 1e-4) {
            return "<0.01%";
        }
        return String.format(Locale.ROOT, probability >= 0.01 ? "%.1f%%" : "%.2f%%", probability * 100);
    }
}
