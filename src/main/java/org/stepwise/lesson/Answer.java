package org.stepwise.lesson;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.stepwise.tokenizer.TokenDisplay;

/**
 * The expected answer of a question, computed from the live model: how it is shown to the class and
 * which typed answers count as right (written in any of the usual ways).
 */
public sealed interface Answer {

    /** True when {@code studentAnswer} (Not modified; null counts as empty) is this answer. */
    boolean accepts(String studentAnswer);

    /** The answer as the window shows it, e.g. {@code 5×16} or {@code 3 (sat)}. */
    String display();

    /**
     * A token of the sentence: accepted as its 1-based position or as its text.
     *
     * @param position0 0-based position in the sentence on screen
     * @param text      the token's text as the window shows it
     * @param entry     the token's vocabulary entry (e.g. {@code llo</w>})
     */
    record TokenPosition(int position0, String text, String entry) implements Answer {
        public TokenPosition {
            if (position0 < 0 || text == null || entry == null) {
                throw new IllegalArgumentException("a token position needs a position ≥ 0, its text and entry");
            }
        }

        @Override
        public boolean accepts(String studentAnswer) {
            String typed = clean(studentAnswer);
            Integer number = wholeNumber(typed);
            if (number != null) {
                return number == position0 + 1;
            }
            return sameToken(typed, text, entry);
        }

        @Override
        public String display() {
            return (position0 + 1) + " (" + text + ")";
        }
    }

    /** A tensor shape rows × columns: accepted as {@code 5x16}, {@code 5×16}, {@code [5, 16]}, {@code 5 by 16}. */
    record Shape(int rows, int columns) implements Answer {
        private static final Pattern TWO_NUMBERS =
                Pattern.compile("[\\[(]?\\s*(\\d+)\\s*(?:[x×X*,]|by)\\s*(\\d+)\\s*[\\])]?");

        public Shape {
            if (rows < 1 || columns < 1) {
                throw new IllegalArgumentException("a shape needs positive sizes, got " + rows + "×" + columns);
            }
        }

        @Override
        public boolean accepts(String studentAnswer) {
            Matcher match = TWO_NUMBERS.matcher(clean(studentAnswer));
            return match.matches() && Integer.parseInt(match.group(1)) == rows
                    && Integer.parseInt(match.group(2)) == columns;
        }

        @Override
        public String display() {
            return rows + "×" + columns;
        }
    }

    /** A whole number, e.g. how many tokens. */
    record Count(int value) implements Answer {
        @Override
        public boolean accepts(String studentAnswer) {
            Integer number = wholeNumber(clean(studentAnswer));
            return number != null && number == value;
        }

        @Override
        public String display() {
            return Integer.toString(value);
        }
    }

    /**
     * A vocabulary token: accepted as its vocabulary entry or as the text the window shows for it.
     *
     * @param id    the token id
     * @param text  the text the window shows
     * @param entry the vocabulary entry
     */
    record TokenText(int id, String text, String entry) implements Answer {
        public TokenText {
            if (text == null || entry == null) {
                throw new IllegalArgumentException("a token needs its text and entry");
            }
        }

        @Override
        public boolean accepts(String studentAnswer) {
            return sameToken(clean(studentAnswer), text, entry);
        }

        @Override
        public String display() {
            return text;
        }
    }

    /** A percentage: accepted within {@link #TOLERANCE} points, with or without {@code %}. */
    record Percentage(double percent) implements Answer {
        /** How far (in percentage points) a typed answer may be from the computed one. */
        public static final double TOLERANCE = 1.0;

        public Percentage {
            if (!(percent >= 0 && percent <= 100)) {
                throw new IllegalArgumentException("a percentage lies in [0, 100], got " + percent);
            }
        }

        @Override
        public boolean accepts(String studentAnswer) {
            String typed = clean(studentAnswer).replace(',', '.');
            if (typed.endsWith("%")) {
                typed = typed.substring(0, typed.length() - 1).strip();
            }
            try {
                return Math.abs(Double.parseDouble(typed) - percent) <= TOLERANCE;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        @Override
        public String display() {
            return String.format(Locale.ROOT, "%.1f%%", percent);
        }
    }

    /** One option of a multiple choice: accepted as its 1-based number or its text. */
    record Option(int option0, List<String> options) implements Answer {
        public Option {
            options = List.copyOf(options);
            if (option0 < 0 || option0 >= options.size()) {
                throw new IllegalArgumentException("option " + (option0 + 1) + " is outside the " + options.size());
            }
        }

        @Override
        public boolean accepts(String studentAnswer) {
            String typed = clean(studentAnswer);
            Integer number = wholeNumber(typed);
            if (number != null) {
                return number == option0 + 1;
            }
            return typed.equalsIgnoreCase(options.get(option0).strip());
        }

        @Override
        public String display() {
            return (option0 + 1) + ". " + options.get(option0);
        }
    }

    private static String clean(String typed) {
        return typed == null ? "" : typed.strip();
    }

    private static Integer wholeNumber(String typed) {
        if (typed.isEmpty() || !typed.chars().allMatch(Character::isDigit) || typed.length() > 9) {
            return null;
        }
        return Integer.parseInt(typed);
    }

    /** Whether typed text names the token shown as {@code text} with vocabulary entry {@code entry}. */
    private static boolean sameToken(String typed, String text, String entry) {
        if (typed.isEmpty()) {
            return false;
        }
        return typed.equals(text) || typed.equals(entry) || typed.equals(bare(text)) || typed.equals(bare(entry));
    }

    /** The token without its space marks and end-of-word marker, as a student would type it. */
    private static String bare(String token) {
        return token.replace(TokenDisplay.SPACE_MARK, " ").replace("</w>", "").replace("Ġ", " ").strip();
    }
}
