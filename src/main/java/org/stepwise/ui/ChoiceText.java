package org.stepwise.ui;

import java.util.function.Function;

import javafx.util.StringConverter;

/**
 * How a choice of a non-editable ComboBox or ChoiceBox is written. The user picks from the list and
 * never types, so text never has to turn back into a choice.
 */
public final class ChoiceText {

    private ChoiceText() {
    }

    /** A converter writing each choice with {@code text} and {@code null} (no choice yet) as "". */
    public static <T> StringConverter<T> of(Function<T, String> text) {
        return new StringConverter<>() {
            @Override
            public String toString(T value) {
                return value == null ? "" : text.apply(value);
            }

            @Override
            public T fromString(String string) {
                throw new UnsupportedOperationException("choices are picked from the list, not typed");
            }
        };
    }
}
