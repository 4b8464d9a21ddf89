package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Properties of the word tokenizer: exact round trip over its vocabulary, visible unknowns on any text. */
class WordTokenizerProperties {

    static final String CORPUS = "Hello, world! The cat sat on the mat.\nThe dog's bone:\tit is 42 (or so)...  "
            + "我爱北京天安门。 naïve café";
    private static final WordTokenizer TOKENIZER = WordTokenizer.train(CORPUS);

    private static final List<String> LETTER_WORDS = List.of("Hello", "world", "The", "cat", "sat", "on", "the",
            "mat", "dog", "s", "bone", "it", "is", "42", "or", "so", "naïve", "café");
    private static final List<String> OTHERS = List.of(",", "!", ".", "'", ":", "(", ")", "。",
            "我", "爱", "北", "京", "天", "安", "门", " ", "\n", "\t");
    private static final List<String> GAPS_BETWEEN_WORDS = List.of(" ", " ", " ", "  ", "\n", "\t", " \n", "\t ");

    /**
     * Texts made only of pieces of the corpus, with whitespace wherever two words meet (two words
     * written together would be a different, unknown word).
     */
    @Provide
    Arbitrary<String> textOverVocabulary() {
        Arbitrary<String> piece = Arbitraries.oneOf(Arbitraries.of(LETTER_WORDS), Arbitraries.of(OTHERS));
        Arbitrary<Tuple.Tuple2<String, String>> pieceAndGap = Combinators.combine(piece, Arbitraries.of(GAPS_BETWEEN_WORDS))
                .as(Tuple::of);
        return pieceAndGap.list().ofMaxSize(30).map(pairs -> {
            StringBuilder text = new StringBuilder();
            for (int index = 0; index < pairs.size(); index++) {
                String current = pairs.get(index).get1();
                if (index > 0 && LETTER_WORDS.contains(pairs.get(index - 1).get1()) && LETTER_WORDS.contains(current)) {
                    text.append(pairs.get(index).get2());
                }
                text.append(current);
            }
            return text.toString();
        });
    }

    @Provide
    Arbitrary<String> anyText() {
        return EncodingChecks.anyText();
    }

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    void roundTripOverTheVocabulary(@ForAll("textOverVocabulary") String text) {
        Tokenizer.Encoding encoding = TOKENIZER.encode(text);
        assertEquals(0, EncodingChecks.unknownCount(TOKENIZER, encoding), "unknown piece in \"" + text + "\"");
        assertEquals(text, TOKENIZER.decode(encoding.ids()));
        EncodingChecks.assertConsistent(TOKENIZER, text, encoding);
    }

    @Property(tries = 300)
    void unknownsBecomeUnkAndSpansCoverTheInput(@ForAll("anyText") String text) {
        EncodingChecks.assertConsistent(TOKENIZER, text, TOKENIZER.encode(text));
    }

    @Property(tries = 100)
    void roundTripWhenTrainedOnTheText(@ForAll("anyText") String text) {
        WordTokenizer tokenizer = WordTokenizer.train(text);
        Tokenizer.Encoding encoding = tokenizer.encode(text);
        assertEquals(0, EncodingChecks.unknownCount(tokenizer, encoding));
        assertEquals(text, tokenizer.decode(encoding.ids()));
    }
}
