package org.stepwise.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a token is shown to a learner: spaces, line breaks and tabs get visible marks instead of
 * being blank (or GPT-2's {@code Ġ}/{@code Ċ}), and the bytes of a character split across
 * byte-level tokens are written in hex ({@code <e4 bd>}) instead of {@code �}.
 *
 * <p>Each mark used is reported as a {@link Mark}, whose {@link Mark#bundleKey()} names the
 * explanation in the {@code messages} bundle, so a view can show it as a tooltip.
 * <ul>
 *   <li>space U+0020 → {@value #SPACE_MARK}, newline U+000A → {@value #NEWLINE_MARK},
 *       tab U+0009 → {@value #TAB_MARK};</li>
 *   <li>any other whitespace, control or format character (no-break space, carriage return,
 *       zero-width joiner, ...) → its code point, e.g. {@code <U+00A0>};</li>
 *   <li>bytes that are not a whole UTF-8 character → {@code <e4 bd>}, lower-case hex, one group per
 *       run of such bytes;</li>
 *   <li>a special token ({@code <|endoftext|>}, {@code <eos>}, ...) → its text, marked special.</li>
 * </ul>
 */
public final class TokenDisplay {

    public static final String SPACE_MARK = "␣";
    public static final String NEWLINE_MARK = "↵";
    public static final String TAB_MARK = "→";

    /** Why a token's display differs from its plain text; each has an explanation in the bundle. */
    public enum Mark {
        /** A space is shown as {@value TokenDisplay#SPACE_MARK}. */
        SPACE("token.space"),
        /** A line break is shown as {@value TokenDisplay#NEWLINE_MARK}. */
        NEWLINE("token.newline"),
        /** A tab is shown as {@value TokenDisplay#TAB_MARK}. */
        TAB("token.tab"),
        /** An invisible character is shown as its code point, e.g. {@code <U+00A0>}. */
        INVISIBLE("token.invisible"),
        /** The token holds only part of a multi-byte character; those bytes are shown in hex. */
        PARTIAL_CHARACTER("token.partialCharacter"),
        /** A special token, such as the end of a text, not text from the input. */
        SPECIAL("token.special");

        private final String bundleKey;

        Mark(String bundleKey) {
            this.bundleKey = bundleKey;
        }

        /** The key of this mark's explanation in the {@code messages} bundle. */
        public String bundleKey() {
            return bundleKey;
        }
    }

    /** The text to show for a token, and the marks used in it (empty when it is shown as it is). */
    public record Shown(String text, Set<Mark> marks) {
        public Shown {
            marks = Collections.unmodifiableSet(marks.isEmpty() ? EnumSet.noneOf(Mark.class) : EnumSet.copyOf(marks));
        }

        public boolean has(Mark mark) {
            return marks.contains(mark);
        }
    }

    private TokenDisplay() {
    }

    /**
     * How token {@code id} of {@code tokenizer} is shown: for a byte-level BPE, from the token's
     * bytes; for the other tokenizers, from its stored text (BPE's {@code </w>} stays, since it
     * is part of what BPE learns). Not modified: {@code tokenizer}.
     *
     * @throws IllegalArgumentException when {@code id} is not in the vocabulary
     */
    public static Shown of(Tokenizer tokenizer, int id) {
        String token = tokenizer.token(id);
        if (tokenizer instanceof ByteLevelBpeTokenizer byteLevel) {
            return byteLevel.isSpecial(id) ? special(token) : ofBytes(byteLevel.tokenBytes(id));
        }
        Tokenizer.SpecialTokens specials = tokenizer.specials();
        if (id == specials.eos() || id == specials.unk() || id == specials.pad()) {
            return special(token);
        }
        return ofText(token);
    }

    private static Shown special(String token) {
        return new Shown(token, EnumSet.of(Mark.SPECIAL));
    }

    /** {@code text} with its spaces, line breaks, tabs and invisible characters marked. */
    public static Shown ofText(String text) {
        StringBuilder shown = new StringBuilder(text.length());
        Set<Mark> marks = EnumSet.noneOf(Mark.class);
        text.codePoints().forEach(codePoint -> appendCharacter(codePoint, shown, marks));
        return new Shown(shown.toString(), marks);
    }

    /**
     * {@code bytes} read as UTF-8: each whole character as in {@link #ofText}, and each run of
     * bytes that is not a whole character in hex, e.g. {@code <e4 bd>}. Not modified: {@code bytes}.
     */
    public static Shown ofBytes(byte[] bytes) {
        StringBuilder shown = new StringBuilder(bytes.length * 2);
        Set<Mark> marks = EnumSet.noneOf(Mark.class);
        int partialStart = -1;
        int position = 0;
        while (position < bytes.length) {
            int length = wholeCharacterLength(bytes, position);
            if (length == 0) {
                if (partialStart < 0) {
                    partialStart = position;
                }
                position++;
                continue;
            }
            if (partialStart >= 0) {
                shown.append(hex(bytes, partialStart, position));
                marks.add(Mark.PARTIAL_CHARACTER);
                partialStart = -1;
            }
            String character = new String(bytes, position, length, StandardCharsets.UTF_8);
            appendCharacter(character.codePointAt(0), shown, marks);
            position += length;
        }
        if (partialStart >= 0) {
            shown.append(hex(bytes, partialStart, bytes.length));
            marks.add(Mark.PARTIAL_CHARACTER);
        }
        return new Shown(shown.toString(), marks);
    }

    /** The UTF-8 bytes of {@code text} in hex, e.g. {@code <e4 bd a0>} for {@code 你}, for an explanation. */
    public static String utf8Hex(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return hex(bytes, 0, bytes.length);
    }

    /**
     * The number of bytes of the whole UTF-8 character starting at {@code position}, or 0 when the
     * bytes there are not a whole, well-formed character (a continuation byte, a cut-off sequence,
     * an overlong form or an encoded surrogate).
     */
    private static int wholeCharacterLength(byte[] bytes, int position) {
        int lead = bytes[position] & 0xFF;
        int length = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
        if (length == 0 || position + length > bytes.length) {
            return 0;
        }
        byte[] sequence = Arrays.copyOfRange(bytes, position, position + length);
        String decoded = new String(sequence, StandardCharsets.UTF_8);
        boolean exact = decoded.codePointCount(0, decoded.length()) == 1
                && Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), sequence);
        return exact ? length : 0;
    }

    private static void appendCharacter(int codePoint, StringBuilder shown, Set<Mark> marks) {
        if (codePoint == ' ') {
            shown.append(SPACE_MARK);
            marks.add(Mark.SPACE);
        } else if (codePoint == '\n') {
            shown.append(NEWLINE_MARK);
            marks.add(Mark.NEWLINE);
        } else if (codePoint == '\t') {
            shown.append(TAB_MARK);
            marks.add(Mark.TAB);
        } else if (isInvisible(codePoint)) {
            shown.append(String.format("<U+%04X>", codePoint));
            marks.add(Mark.INVISIBLE);
        } else {
            shown.appendCodePoint(codePoint);
        }
    }

    private static boolean isInvisible(int codePoint) {
        int type = Character.getType(codePoint);
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint)
                || type == Character.CONTROL || type == Character.FORMAT
                || type == Character.SURROGATE || type == Character.UNASSIGNED;
    }

    private static String hex(byte[] bytes, int from, int to) {
        StringBuilder text = new StringBuilder("<");
        for (int index = from; index < to; index++) {
            text.append(index == from ? "" : " ").append(String.format("%02x", bytes[index] & 0xFF));
        }
        return text.append('>').toString();
    }
}
