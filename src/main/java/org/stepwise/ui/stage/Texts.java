package org.stepwise.ui.stage;

import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;

/** The panels' strings: bundle messages with their arguments filled in, and tokens as a learner reads them. */
final class Texts {
    private Texts() {
    }

    /** The message {@code key} of {@code messages} with its {@code {0}}, {@code {1}} ... filled in. */
    static String format(ResourceBundle messages, String key, Object... arguments) {
        return new MessageFormat(messages.getString(key), messages.getLocale()).format(arguments);
    }

    /** Token {@code id} as shown to a learner (visible spaces, {@code <e4 bd>} for partial bytes). */
    static String token(Tokenizer tokenizer, int id) {
        return TokenDisplay.of(tokenizer, id).text();
    }

    /** Each id of {@code ids} as shown to a learner. Not modified: {@code ids}. */
    static List<String> tokens(Tokenizer tokenizer, int[] ids) {
        List<String> shown = new ArrayList<>(ids.length);
        for (int id : ids) {
            shown.add(token(tokenizer, id));
        }
        return shown;
    }

    /** A number with at most {@code digits} decimals and no trailing zeros, e.g. 0.5, 1, 0.123. */
    static String number(double value, int digits) {
        java.math.BigDecimal decimal = java.math.BigDecimal.valueOf(value)
                .setScale(digits, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
        return decimal.scale() < 0 ? decimal.setScale(0).toPlainString() : decimal.toPlainString();
    }
}
