package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of BPE: exact round trip over the training alphabet, visible unknowns on any text. */
class BpeTokenizerProperties {

    static final String CORPUS = "the cat sat on the mat, the cat ate the rat.\n\tThen the cat sat again!  "
            + "(cats: 42; rats: 7) don't\r\n我爱北京天安门，北京是首都。 😀 naïve café";
    private static final BpeTokenizer TOKENIZER = BpeTokenizer.train(CORPUS, 40);
    private static final List<String> ALPHABET = alphabet(CORPUS);

    private static List<String> alphabet(String corpus) {
        TreeSet<Integer> codePoints = new TreeSet<>();
        corpus.codePoints().forEach(codePoints::add);
        return codePoints.stream().map(Character::toString).toList();
    }

    /** Any sequence of characters of the corpus, so letters, CJK, punctuation and whitespace mix freely. */
    @Provide
    Arbitrary<String> textOverAlphabet() {
        return Arbitraries.of(ALPHABET).list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    /** Words of the corpus separated by single spaces, the case the implicit space is for. */
    @Provide
    Arbitrary<String> sentencesOfCorpusWords() {
        List<String> words = List.of("the", "cat", "sat", "on", "mat", "ate", "rat", "Then", "again", "cats",
                "42", "naïve", "café", "北京", "我爱北京天安门", "don", "t", ",", ".", "!");
        return Arbitraries.of(words).list().ofMaxSize(20).map(parts -> String.join(" ", parts));
    }

    @Provide
    Arbitrary<String> anyText() {
        return EncodingChecks.anyText();
    }

    @Property(tries = 300)
    void roundTripOverTheTrainingAlphabet(@ForAll("textOverAlphabet") String text) {
        Tokenizer.Encoding encoding = TOKENIZER.encode(text);
        assertEquals(0, EncodingChecks.unknownCount(TOKENIZER, encoding), "unknown symbol in \"" + text + "\"");
        assertEquals(text, TOKENIZER.decode(encoding.ids()));
        EncodingChecks.assertConsistent(TOKENIZER, text, encoding);
    }

    @Property(tries = 200)
    void roundTripOfSentences(@ForAll("sentencesOfCorpusWords") String text) {
        Tokenizer.Encoding encoding = TOKENIZER.encode(text);
        assertEquals(text, TOKENIZER.decode(encoding.ids()));
        EncodingChecks.assertConsistent(TOKENIZER, text, encoding);
    }

    @Property(tries = 300)
    void unknownsBecomeUnkAndSpansCoverTheInput(@ForAll("anyText") String text) {
        EncodingChecks.assertConsistent(TOKENIZER, text, TOKENIZER.encode(text));
    }

    @Property(tries = 200)
    void traceOfAWordEndsInItsEncoding(@ForAll("textOverAlphabet") String text) {
        for (TextPieces.Piece piece : TextPieces.split(text, true)) {
            if (piece.kind() == TextPieces.PieceKind.SPACE) {
                continue;
            }
            String word = piece.text(text);
            BpeTokenizer.WordTrace trace = TOKENIZER.traceWord(word);
            assertEquals(TOKENIZER.encode(word).tokens(), trace.tokens(), "trace of \"" + word + "\"");
            List<String> symbols = trace.initialSymbols();
            for (BpeTokenizer.MergeStep step : trace.steps()) {
                assertEquals(symbols, step.before());
                assertTrue(step.after().size() < step.before().size(), "a merge joins at least one pair");
                assertTrue(step.after().contains(step.merge().token()), "the merged symbol appears");
                symbols = step.after();
            }
            assertEquals(symbols, trace.tokens());
        }
    }

    @Property(tries = 100)
    void roundTripWhenTrainedOnTheText(@ForAll("anyText") String text) {
        BpeTokenizer tokenizer = BpeTokenizer.train(text, 20);
        Tokenizer.Encoding encoding = tokenizer.encode(text);
        assertEquals(0, EncodingChecks.unknownCount(tokenizer, encoding));
        assertEquals(text, tokenizer.decode(encoding.ids()));
        EncodingChecks.assertConsistent(tokenizer, text, encoding);
    }
}
