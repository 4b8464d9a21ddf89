package org.stepwise.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into the pieces the word and BPE tokenizers work on: words, Chinese/Japanese
 * characters, single punctuation marks and single whitespace characters.
 *
 * <p>Every code point falls into exactly one {@link PieceKind}:
 * <ul>
 *   <li>{@link PieceKind#SPACE}: {@link Character#isWhitespace} or {@link Character#isSpaceChar}
 *       (space, tab, newline, no-break space, ideographic space, ...). Each whitespace character is
 *       a piece of its own.</li>
 *   <li>{@link PieceKind#CJK}: Han, Hiragana and Katakana characters (scripts written without
 *       spaces between words). Either each is a piece of its own, or a run of them is one piece.</li>
 *   <li>{@link PieceKind#WORD}: letters, digits and combining marks of every other script; a
 *       maximal run of them is one piece ({@code naïve}, {@code GPT2}, {@code слово}).</li>
 *   <li>{@link PieceKind#SYMBOL}: everything else (punctuation, symbols, emoji, control
 *       characters, unpaired surrogates); each code point is a piece of its own.</li>
 * </ul>
 * Two {@link PieceKind#WORD} pieces can never touch (they would be one run), so there is always
 * whitespace between them; this is what lets the tokenizers leave out the single space between
 * two words and still decode exactly.
 */
final class TextPieces {

    /** What a piece is made of. */
    enum PieceKind { WORD, CJK, SYMBOL, SPACE }

    /** A piece of the input: chars [start, end) of one kind. */
    record Piece(int start, int end, PieceKind kind) {
        String text(String source) {
            return source.substring(start, end);
        }
    }

    private TextPieces() {
    }

    /** The kind of one code point. */
    static PieceKind kindOf(int codePoint) {
        if (Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)) {
            return PieceKind.SPACE;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
        if (script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA) {
            return PieceKind.CJK;
        }
        if (Character.isLetterOrDigit(codePoint)) {
            return PieceKind.WORD;
        }
        int type = Character.getType(codePoint);
        if (type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK) {
            return PieceKind.WORD;
        }
        return PieceKind.SYMBOL;
    }

    /** The kind of the first code point of {@code text}, or null for the empty string. */
    static PieceKind kindOfFirst(String text) {
        return text.isEmpty() ? null : kindOf(text.codePointAt(0));
    }

    /**
     * Splits {@code text} into pieces in order; together they cover every char exactly once.
     *
     * @param text            the input. Not modified.
     * @param cjkRunsAsOnePiece true: a run of CJK characters is one piece (BPE merges inside it);
     *                        false: every CJK character is a piece of its own (word tokenizer)
     */
    static List<Piece> split(String text, boolean cjkRunsAsOnePiece) {
        List<Piece> pieces = new ArrayList<>();
        int position = 0;
        while (position < text.length()) {
            int codePoint = text.codePointAt(position);
            PieceKind kind = kindOf(codePoint);
            int end = position + Character.charCount(codePoint);
            boolean runs = kind == PieceKind.WORD || (kind == PieceKind.CJK && cjkRunsAsOnePiece);
            if (runs) {
                while (end < text.length()) {
                    int next = text.codePointAt(end);
                    if (kindOf(next) != kind) {
                        break;
                    }
                    end += Character.charCount(next);
                }
            }
            pieces.add(new Piece(position, end, kind));
            position = end;
        }
        return pieces;
    }

    /**
     * True when piece {@code index} is a single U+0020 space standing between two WORD pieces:
     * the one gap the word and BPE tokenizers leave implicit.
     */
    static boolean isSingleSpaceBetweenWords(List<Piece> pieces, int index, String text) {
        Piece piece = pieces.get(index);
        return piece.kind() == PieceKind.SPACE
                && piece.end() - piece.start() == 1
                && text.charAt(piece.start()) == ' '
                && index > 0 && index + 1 < pieces.size()
                && pieces.get(index - 1).kind() == PieceKind.WORD
                && pieces.get(index + 1).kind() == PieceKind.WORD;
    }
}
