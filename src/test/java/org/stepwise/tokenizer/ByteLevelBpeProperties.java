package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** On random Unicode text (astral characters included), GPT-2's tokenizer agrees with JTokkit and decodes back exactly. */
class ByteLevelBpeProperties {

    @Property(tries = 600)
    void sameIdsAsJTokkitAndLosslessDecoding(@ForAll("unicodeText") String text) {
        Tokenizer gpt2 = Gpt2TestFolder.shared();
        Tokenizer.Encoding encoding = gpt2.encode(text);
        assertArrayEquals(Gpt2TestFolder.referenceIds(text), encoding.ids(), () -> Gpt2ReferenceTest.escape(text));
        assertEquals(text, gpt2.decode(encoding.ids()));
    }

    @Property(tries = 300)
    void spansAreInOrderAndCoverTheText(@ForAll("unicodeText") String text) {
        ByteLevelBpeTokenizer gpt2 = Gpt2TestFolder.shared();
        Tokenizer.Encoding encoding = gpt2.encode(text);
        int byteCount = 0;
        int previousStart = 0;
        for (int index = 0; index < encoding.size(); index++) {
            Tokenizer.Span span = encoding.spans().get(index);
            assertTrue(span.start() >= previousStart && span.end() > span.start() && span.end() <= text.length(), span.toString());
            String under = text.substring(span.start(), span.end());
            assertTrue(under.getBytes(StandardCharsets.UTF_8).length >= gpt2.tokenBytes(encoding.ids()[index]).length,
                    "a token's bytes come from the chars under its span");
            previousStart = span.start();
            byteCount += gpt2.tokenBytes(encoding.ids()[index]).length;
        }
        if (encoding.size() > 0) {
            assertEquals(0, encoding.spans().get(0).start());
            assertEquals(text.length(), encoding.spans().get(encoding.size() - 1).end());
        }
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, byteCount);
    }

    /**
     * Text of up to 30 code points mixing ASCII, whitespace of many kinds, apostrophes, Latin with
     * combining marks, Chinese, Japanese, Korean, emoji with ZWJ, variation selectors, skin tones and
     * regional indicators, astral Han, and any code point that is not a surrogate.
     */
    @Provide
    Arbitrary<String> unicodeText() {
        Arbitrary<Integer> ascii = Arbitraries.integers().between(0x20, 0x7E);
        Arbitrary<Integer> whitespace = Arbitraries.of(0x20, 0x20, 0x0A, 0x09, 0x0D, 0x0B, 0x0C, 0x85, 0xA0,
                0x1680, 0x2000, 0x2009, 0x200B, 0x2028, 0x2029, 0x202F, 0x3000, 0x1C, 0x1F);
        Arbitrary<Integer> contraction = Arbitraries.of((int) '\'', (int) 's', (int) 't', (int) 'l', (int) 'd', (int) 'm', (int) 'v', (int) 'r', (int) 'e');
        Arbitrary<Integer> latin = Arbitraries.integers().between(0xC0, 0x24F);
        Arbitrary<Integer> combining = Arbitraries.integers().between(0x300, 0x36F);
        Arbitrary<Integer> cjk = Arbitraries.oneOf(Arbitraries.integers().between(0x4E00, 0x9FFF),
                Arbitraries.integers().between(0x3040, 0x30FF), Arbitraries.integers().between(0xAC00, 0xD7A3));
        Arbitrary<Integer> emoji = Arbitraries.oneOf(Arbitraries.integers().between(0x1F300, 0x1FAFF),
                Arbitraries.integers().between(0x1F1E6, 0x1F1FF), Arbitraries.of(0x200D, 0xFE0F, 0x1F3FB, 0x1F3FF, 0x20E3));
        Arbitrary<Integer> astralHan = Arbitraries.integers().between(0x20000, 0x2A6DF);
        Arbitrary<Integer> digits = Arbitraries.oneOf(Arbitraries.integers().between('0', '9'),
                Arbitraries.integers().between(0x660, 0x669), Arbitraries.integers().between(0xFF10, 0xFF19));
        Arbitrary<Integer> anyCodePoint = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(codePoint -> codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE);
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(8, ascii), Tuple.of(4, whitespace), Tuple.of(2, contraction), Tuple.of(2, latin),
                Tuple.of(1, combining), Tuple.of(2, cjk), Tuple.of(2, emoji), Tuple.of(1, astralHan),
                Tuple.of(2, digits), Tuple.of(2, anyCodePoint));
        return codePoint.list().ofMaxSize(30).map(ByteLevelBpeProperties::text);
    }

    private static String text(List<Integer> codePoints) {
        StringBuilder text = new StringBuilder();
        codePoints.forEach(text::appendCodePoint);
        return text.toString();
    }
}
