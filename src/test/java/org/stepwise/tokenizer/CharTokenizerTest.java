package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Examples of the character tokenizer: vocabulary order, surrogate pairs, Chinese, unknowns. */
class CharTokenizerTest {

    @Test
    void vocabularyIsSpecialsThenCodePointsInOrder() {
        CharTokenizer tokenizer = CharTokenizer.train("banana");
        assertEquals(List.of("<eos>", "<unk>", "<pad>", "a", "b", "n"),
                List.of(tokenizer.token(0), tokenizer.token(1), tokenizer.token(2), tokenizer.token(3),
                        tokenizer.token(4), tokenizer.token(5)));
        assertEquals(6, tokenizer.vocabSize());
        assertEquals(new Tokenizer.SpecialTokens(0, 1, 2), tokenizer.specials());
        assertEquals(Tokenizer.Kind.CHARACTER, tokenizer.kind());
        assertEquals(-1, tokenizer.id("c"));
        assertArrayEquals(new int[] {4, 3, 5, 3, 5, 3}, tokenizer.encode("banana").ids());
    }

    @Test
    void surrogatePairIsOneTokenWithATwoCharSpan() {
        String text = "a😀𠀀b";
        CharTokenizer tokenizer = CharTokenizer.train(text);
        Tokenizer.Encoding encoding = tokenizer.encode(text);
        assertEquals(List.of("a", "😀", "𠀀", "b"), encoding.tokens());
        assertEquals(List.of(new Tokenizer.Span(0, 1), new Tokenizer.Span(1, 3), new Tokenizer.Span(3, 5),
                new Tokenizer.Span(5, 6)), encoding.spans());
        assertEquals(text, tokenizer.decode(encoding.ids()));
    }

    @Test
    void chineseCharactersAreTokens() {
        CharTokenizer tokenizer = CharTokenizer.train("我爱北京天安门");
        Tokenizer.Encoding encoding = tokenizer.encode("北京");
        assertEquals(List.of("北", "京"), encoding.tokens());
        assertEquals("北京", tokenizer.decode(encoding.ids()));
    }

    @Test
    void unknownCharacterIsVisibleWithItsSpan() {
        CharTokenizer tokenizer = CharTokenizer.train("abc");
        Tokenizer.Encoding encoding = tokenizer.encode("a😀c");
        assertEquals(List.of("a", "<unk>", "c"), encoding.tokens());
        assertEquals(new Tokenizer.Span(1, 3), encoding.spans().get(1));
        assertEquals("a<unk>c", tokenizer.decode(encoding.ids()));
    }

    @Test
    void literalEosTextIsNotTheSpecialToken() {
        CharTokenizer tokenizer = CharTokenizer.train("<eos>");
        Tokenizer.Encoding encoding = tokenizer.encode("<eos>");
        assertEquals(5, encoding.size());
        for (int id : encoding.ids()) {
            assertTrue(id > 2, "id " + id + " is a special");
        }
        assertEquals("<eos>", tokenizer.decode(new int[] {tokenizer.specials().eos()}));
    }

    @Test
    void emptyStringEncodesToNothing() {
        CharTokenizer tokenizer = CharTokenizer.train("abc");
        Tokenizer.Encoding encoding = tokenizer.encode("");
        assertEquals(0, encoding.size());
        assertEquals(List.of(), encoding.tokens());
        assertEquals("", tokenizer.decode(new int[0]));
        assertEquals(3, CharTokenizer.train("").vocabSize());
    }

    @Test
    void decodingAnUnknownIdIsRefused() {
        CharTokenizer tokenizer = CharTokenizer.train("abc");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {0, 6}));
        assertTrue(error.getMessage().contains("id 6"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tokenizer.token(-1));
    }
}
