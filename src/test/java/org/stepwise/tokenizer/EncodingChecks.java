package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Checks every tokenizer test shares: spans tile the input, token texts match the text they cover,
 * unknown pieces show as {@code <unk>}, and decoding gives back the input with only the unknown
 * pieces replaced by the text {@code <unk>}.
 */
final class EncodingChecks {

    private EncodingChecks() {
    }

    /**
     * Asserts the invariants of {@code encoding} of {@code text}: parallel lists; spans in order,
     * not overlapping, starting at 0 and ending at the input's length, with gaps only of one
     * U+0020 space; each known token's text (without {@code </w>}) equals the text under its span;
     * {@code <unk>} exactly where the id is the unknown id; and
     * {@code decode(ids)} equals the input with each {@code <unk>} span replaced by {@code <unk>}.
     */
    static void assertConsistent(Tokenizer tokenizer, String text, Tokenizer.Encoding encoding) {
        int[] ids = encoding.ids();
        List<String> tokens = encoding.tokens();
        List<Tokenizer.Span> spans = encoding.spans();
        assertEquals(ids.length, tokens.size(), "one token text per id");
        assertEquals(ids.length, spans.size(), "one span per id");

        int unk = tokenizer.specials().unk();
        StringBuilder expectedDecoding = new StringBuilder();
        int covered = 0;
        for (int index = 0; index < ids.length; index++) {
            Tokenizer.Span span = spans.get(index);
            String gap = text.substring(covered, span.start());
            assertTrue(gap.isEmpty() || gap.equals(" "), "between spans only a single space may be left out, found \""
                    + gap + "\" before token " + index + " of \"" + text + "\"");
            assertTrue(span.end() > span.start(), "span " + span + " is empty");
            expectedDecoding.append(gap);
            String under = text.substring(span.start(), span.end());
            assertEquals(tokenizer.token(ids[index]), tokens.get(index), "token text of id " + ids[index]);
            if (ids[index] == unk) {
                assertEquals(Tokenizer.SpecialTokens.UNK, tokens.get(index));
                expectedDecoding.append(Tokenizer.SpecialTokens.UNK);
            } else {
                assertEquals(under, withoutEndOfWord(tokens.get(index)), "token " + index + " of \"" + text + "\"");
                expectedDecoding.append(under);
            }
            covered = span.end();
        }
        assertEquals(text.length(), covered, "the last span ends where the input ends");
        assertEquals(expectedDecoding.toString(), tokenizer.decode(ids), "decode(encode(text)) of \"" + text + "\"");
    }

    /** How many tokens of {@code encoding} are {@code <unk>}. */
    static long unknownCount(Tokenizer tokenizer, Tokenizer.Encoding encoding) {
        return Arrays.stream(encoding.ids()).filter(id -> id == tokenizer.specials().unk()).count();
    }

    static String withoutEndOfWord(String token) {
        return token.endsWith(BpeTokenizer.END_OF_WORD)
                ? token.substring(0, token.length() - BpeTokenizer.END_OF_WORD.length())
                : token;
    }

    /**
     * Any text at all: ASCII, whitespace, Latin with accents, Chinese, emoji and supplementary Han
     * characters (surrogate pairs), and arbitrary chars including unpaired surrogates.
     */
    static Arbitrary<String> anyText() {
        Arbitrary<String> ascii = Arbitraries.chars().range(' ', '~').map(String::valueOf);
        Arbitrary<String> whitespace = Arbitraries.of(" ", " ", "\n", "\t", "\r", "\u00A0", "\u3000");
        Arbitrary<String> latin = Arbitraries.chars().range('\u00C0', '\u024F').map(String::valueOf);
        Arbitrary<String> chinese = Arbitraries.chars().range('\u4E00', '\u4FFF').map(String::valueOf);
        Arbitrary<String> supplementary = Arbitraries.oneOf(
                Arbitraries.integers().between(0x1F300, 0x1F64F),
                Arbitraries.integers().between(0x20000, 0x2A6DF)).map(Character::toString);
        Arbitrary<String> anyChar = Arbitraries.chars().all().map(String::valueOf);
        Arbitrary<String> oneCodePoint = Arbitraries.frequencyOf(
                Tuple.of(6, ascii),
                Tuple.of(3, whitespace),
                Tuple.of(1, latin),
                Tuple.of(2, chinese),
                Tuple.of(1, supplementary),
                Tuple.of(1, anyChar));
        return oneCodePoint.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }
}
