package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Examples of the word tokenizer: how text is cut, whitespace, CJK, unknown words, vocabulary order. */
class WordTokenizerTest {

    private static final WordTokenizer TOKENIZER = WordTokenizer.train(WordTokenizerProperties.CORPUS);

    @Test
    void wordsPunctuationAndOnlyNeededSpacesBecomeTokens() {
        String text = "Hello, world! The cat sat.";
        Tokenizer.Encoding encoding = TOKENIZER.encode(text);
        assertEquals(List.of("Hello", ",", " ", "world", "!", " ", "The", "cat", "sat", "."), encoding.tokens());
        assertEquals(new Tokenizer.Span(18, 21), encoding.spans().get(7));
        assertEquals(text, TOKENIZER.decode(encoding.ids()));
    }

    @Test
    void repeatedSpacesNewlinesAndTabsAreTokensOfTheirOwn() {
        String text = "the  cat\n\tsat ";
        Tokenizer.Encoding encoding = TOKENIZER.encode(text);
        assertEquals(List.of("the", " ", " ", "cat", "\n", "\t", "sat", " "), encoding.tokens());
        assertEquals(text, TOKENIZER.decode(encoding.ids()));
    }

    @Test
    void eachChineseCharacterIsAWord() {
        Tokenizer.Encoding encoding = TOKENIZER.encode("北京cat");
        assertEquals(List.of("北", "京", "cat"), encoding.tokens());
        assertEquals("北京cat", TOKENIZER.decode(encoding.ids()));
    }

    @Test
    void apostrophesSplitWords() {
        assertEquals(List.of("dog", "'", "s"), TOKENIZER.encode("dog's").tokens());
    }

    @Test
    void unknownWordIsOneUnkAndItsSpacesStayVisible() {
        String text = "the zebra sat";
        Tokenizer.Encoding encoding = TOKENIZER.encode(text);
        assertEquals(List.of("the", " ", "<unk>", " ", "sat"), encoding.tokens());
        assertEquals(new Tokenizer.Span(4, 9), encoding.spans().get(2));
        assertEquals("the <unk> sat", TOKENIZER.decode(encoding.ids()));
    }

    @Test
    void literalEosIsThreeTokens() {
        WordTokenizer tokenizer = WordTokenizer.train("<eos> eos");
        assertEquals(List.of("<", "eos", ">"), tokenizer.encode("<eos>").tokens());
    }

    @Test
    void vocabularyIsOrderedByFrequencyThenText() {
        WordTokenizer tokenizer = WordTokenizer.train("b a b c b a");
        assertEquals(List.of("<eos>", "<unk>", "<pad>", " ", "b", "a", "c"),
                List.of(tokenizer.token(0), tokenizer.token(1), tokenizer.token(2), tokenizer.token(3),
                        tokenizer.token(4), tokenizer.token(5), tokenizer.token(6)));
        WordTokenizer top2 = WordTokenizer.train("b a b c b a", 2);
        assertEquals(5, top2.vocabSize());
        assertEquals(List.of("b", " ", "<unk>"), top2.encode("b a").tokens());
    }

    @Test
    void emptyStringEncodesToNothing() {
        assertEquals(0, TOKENIZER.encode("").size());
        assertEquals("", TOKENIZER.decode(new int[0]));
    }

    @Test
    void specialsDecodeAsTheirNames() {
        int cat = TOKENIZER.id("cat");
        int sat = TOKENIZER.id("sat");
        assertEquals("cat<eos>sat", TOKENIZER.decode(new int[] {cat, TOKENIZER.specials().eos(), sat}));
        assertEquals("cat sat", TOKENIZER.decode(new int[] {cat, sat}));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> WordTokenizer.train("a", -1));
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.decode(new int[] {TOKENIZER.vocabSize()}));
    }
}
