package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Examples of BPE: the article's "hello world", the merge history, Chinese, whitespace, speed. */
class BpeTokenizerTest {

    /**
     * Word counts chosen so the six merges come in a fixed order with strictly falling counts:
     * h+e (11), l+o</w> (9), w+o (8), wo+r (7), l+d</w> (6), l+lo</w> (5).
     */
    static final String HELLO_CORPUS = "hello world hen hen hen hen hem hem hem hex hex hex allo allo ullo ullo"
            + " solo solo solo solo work work work work worm worm woe gold wild wild wild bald";

    private static BpeTokenizer.Merge merge(int rank, String left, String right, int count) {
        return new BpeTokenizer.Merge(rank, left, right, count, left + right);
    }

    @Test
    void helloWorldSplitsAsInTheArticle() {
        BpeTokenizer tokenizer = BpeTokenizer.train(HELLO_CORPUS, 6);
        assertEquals(List.of(
                merge(0, "h", "e", 11),
                merge(1, "l", "o</w>", 9),
                merge(2, "w", "o", 8),
                merge(3, "wo", "r", 7),
                merge(4, "l", "d</w>", 6),
                merge(5, "l", "lo</w>", 5)), tokenizer.merges());

        Tokenizer.Encoding encoding = tokenizer.encode("hello world");
        assertEquals(List.of("he", "llo</w>", "wor", "ld</w>"), encoding.tokens());
        assertEquals(List.of(new Tokenizer.Span(0, 2), new Tokenizer.Span(2, 5), new Tokenizer.Span(6, 9),
                new Tokenizer.Span(9, 11)), encoding.spans());
        assertEquals("hello world", tokenizer.decode(encoding.ids()));
    }

    @Test
    void vocabularyIsSpecialsThenCharactersThenMerges() {
        BpeTokenizer tokenizer = BpeTokenizer.train(HELLO_CORPUS, 6);
        assertEquals(List.of("<eos>", "<unk>", "<pad>", " ", "a", "a</w>", "b", "b</w>"),
                tokenizer.vocabulary().tokens().subList(0, 8));
        int characters = (int) HELLO_CORPUS.chars().distinct().count();
        int base = 3 + 1 + 2 * (characters - 1);
        assertEquals(base + 6, tokenizer.vocabSize());
        assertEquals(base, tokenizer.id("he"));
        assertEquals(base + 5, tokenizer.id("llo</w>"));
    }

    @Test
    void traceShowsEveryMergeOfAWord() {
        BpeTokenizer tokenizer = BpeTokenizer.train(HELLO_CORPUS, 6);
        BpeTokenizer.WordTrace trace = tokenizer.traceWord("hello");
        assertEquals(List.of("h", "e", "l", "l", "o</w>"), trace.initialSymbols());
        assertEquals(3, trace.steps().size());
        assertEquals(List.of(0, 1, 5), trace.steps().stream().map(step -> step.merge().rank()).toList());
        assertEquals(List.of("he", "l", "l", "o</w>"), trace.steps().get(0).after());
        assertEquals(List.of("he", "l", "lo</w>"), trace.steps().get(1).after());
        assertEquals(List.of("he", "llo</w>"), trace.steps().get(2).after());
        for (int index = 1; index < trace.steps().size(); index++) {
            assertEquals(trace.steps().get(index - 1).after(), trace.steps().get(index).before());
        }
        assertEquals(List.of("he", "llo</w>"), trace.tokens());
        assertThrows(IllegalArgumentException.class, () -> tokenizer.traceWord("hello world"));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.traceWord(" "));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.traceWord(""));
    }

    @Test
    void replayingTheFirstMergesKeepsTheIds() {
        BpeTokenizer tokenizer = BpeTokenizer.train(HELLO_CORPUS, 6);
        List<List<String>> splits = new ArrayList<>();
        for (int count = 0; count <= 6; count++) {
            BpeTokenizer partial = tokenizer.withFirstMerges(count);
            assertEquals(tokenizer.vocabSize(), partial.vocabSize());
            assertEquals(tokenizer.merges().subList(0, count), partial.merges());
            splits.add(partial.encode("hello").tokens());
        }
        assertEquals(List.of(
                List.of("h", "e", "l", "l", "o</w>"),
                List.of("he", "l", "l", "o</w>"),
                List.of("he", "l", "lo</w>"),
                List.of("he", "l", "lo</w>"),
                List.of("he", "l", "lo</w>"),
                List.of("he", "l", "lo</w>"),
                List.of("he", "llo</w>")), splits);
        assertEquals(tokenizer.encode("hello").ids()[0], tokenizer.withFirstMerges(1).encode("hello").ids()[0]);
        assertThrows(IllegalArgumentException.class, () -> tokenizer.withFirstMerges(7));
    }

    @Test
    void tiesGoToTheSmallerLeftThenRightSymbol() {
        BpeTokenizer tokenizer = BpeTokenizer.train("xy ab cd ab", 2);
        assertEquals(merge(0, "a", "b</w>", 2), tokenizer.merges().get(0));
        assertEquals(merge(1, "c", "d</w>", 1), tokenizer.merges().get(1));
    }

    @Test
    void trainingStopsWhenEveryWordIsOneSymbol() {
        BpeTokenizer tokenizer = BpeTokenizer.train("ab ab ab", 100);
        assertEquals(List.of(merge(0, "a", "b</w>", 3)), tokenizer.merges());
    }

    @Test
    void trainingToAVocabularySize() {
        BpeTokenizer tokenizer = BpeTokenizer.trainToVocabSize(HELLO_CORPUS, 60);
        assertEquals(60, tokenizer.vocabSize());
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BpeTokenizer.trainToVocabSize(HELLO_CORPUS, 10));
        assertTrue(error.getMessage().contains("too small"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.train(HELLO_CORPUS, -1));
    }

    @Test
    void chineseMergesAcrossCharacters() {
        String corpus = "我们学习机器学习。机器学习很有趣。我喜欢学习。学习使人进步。我们学习。";
        BpeTokenizer tokenizer = BpeTokenizer.train(corpus, 4);
        assertEquals(List.of(
                merge(0, "学", "习", 3),
                merge(1, "学", "习</w>", 3),
                merge(2, "我", "们", 2),
                merge(3, "机", "器", 2)), tokenizer.merges());
        String text = "我们学习机器学习。";
        Tokenizer.Encoding encoding = tokenizer.encode(text);
        assertEquals(List.of("我们", "学习", "机器", "学习</w>", "。</w>"), encoding.tokens());
        assertEquals(text, tokenizer.decode(encoding.ids()));
        EncodingChecks.assertConsistent(tokenizer, text, encoding);
    }

    @Test
    void whitespaceIsNeverMergedAndOnlyTheSpaceBetweenWordsIsImplicit() {
        String corpus = "a\n\n\nb\n\n\nc  \t  d, e";
        BpeTokenizer tokenizer = BpeTokenizer.train(corpus, 50);
        for (BpeTokenizer.Merge merge : tokenizer.merges()) {
            assertFalse(merge.token().isBlank(), "merged whitespace: " + merge);
        }
        String text = "a, b\n\nc d";
        Tokenizer.Encoding encoding = tokenizer.encode(text);
        assertEquals(List.of("a</w>", ",</w>", " ", "b</w>", "\n", "\n", "c</w>", "d</w>"), encoding.tokens());
        assertEquals(text, tokenizer.decode(encoding.ids()));
    }

    @Test
    void unknownCharacterIsVisibleAndKeepsTheSpaceAfterIt() {
        BpeTokenizer tokenizer = BpeTokenizer.train(HELLO_CORPUS, 6);
        String text = "hellq world";
        Tokenizer.Encoding encoding = tokenizer.encode(text);
        assertEquals(List.of("he", "l", "l", "<unk>", " ", "wor", "ld</w>"), encoding.tokens());
        assertEquals(new Tokenizer.Span(4, 5), encoding.spans().get(3));
        assertEquals("hell<unk> world", tokenizer.decode(encoding.ids()));
    }

    @Test
    void literalEosIsNotTheSpecialToken() {
        BpeTokenizer tokenizer = BpeTokenizer.train("<eos> eos eos", 5);
        Tokenizer.Encoding encoding = tokenizer.encode("<eos>");
        assertEquals(List.of("<</w>", "eos</w>", "></w>"), encoding.tokens());
        assertEquals("<eos>", tokenizer.decode(encoding.ids()));
    }

    @Test
    void emptyStringEncodesToNothing() {
        BpeTokenizer tokenizer = BpeTokenizer.train(HELLO_CORPUS, 6);
        assertEquals(0, tokenizer.encode("").size());
        assertEquals("", tokenizer.decode(new int[0]));
        BpeTokenizer empty = BpeTokenizer.train("", 10);
        assertEquals(3, empty.vocabSize());
        assertEquals(List.of(), empty.merges());
    }

    @Test
    void trainingIsDeterministic() {
        String corpus = syntheticCorpus(20_000, 7);
        BpeTokenizer first = BpeTokenizer.train(corpus, 300);
        BpeTokenizer second = BpeTokenizer.train(corpus, 300);
        assertEquals(first.merges(), second.merges());
        assertEquals(first.vocabulary().tokens(), second.vocabulary().tokens());
    }

    @Test
    void trainingThirtyKilobytesWithFiveHundredMergesIsFast() {
        String corpus = syntheticCorpus(30_000, 11);
        BpeTokenizer.train(corpus, 50);
        long start = System.nanoTime();
        BpeTokenizer tokenizer = BpeTokenizer.train(corpus, 500);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(500, tokenizer.merges().size());
        assertTrue(seconds < 2.0, "training took " + seconds + " s");
        Tokenizer.Encoding encoding = tokenizer.encode(corpus);
        assertTrue(encoding.size() < corpus.length() / 2, "500 merges should at least halve the token count");
        assertEquals(corpus, tokenizer.decode(encoding.ids()));
    }

    @Test
    void mergeCountsMatchACountOverTheCorpus() {
        String corpus = syntheticCorpus(5_000, 3);
        BpeTokenizer tokenizer = BpeTokenizer.train(corpus, 40);
        List<List<String>> words = new ArrayList<>();
        for (String word : corpus.split("[^a-z]+")) {
            if (!word.isEmpty()) {
                List<String> symbols = new ArrayList<>();
                word.codePoints().forEach(codePoint -> symbols.add(Character.toString(codePoint)));
                symbols.set(symbols.size() - 1, symbols.get(symbols.size() - 1) + BpeTokenizer.END_OF_WORD);
                words.add(symbols);
            }
        }
        for (BpeTokenizer.Merge merge : tokenizer.merges()) {
            int count = 0;
            for (List<String> symbols : words) {
                for (int index = 0; index + 1 < symbols.size(); index++) {
                    if (symbols.get(index).equals(merge.left()) && symbols.get(index + 1).equals(merge.right())) {
                        count++;
                    }
                }
            }
            assertEquals(count, merge.count(), "count of " + merge);
            for (List<String> symbols : words) {
                for (int index = 0; index + 1 < symbols.size(); index++) {
                    if (symbols.get(index).equals(merge.left()) && symbols.get(index + 1).equals(merge.right())) {
                        symbols.set(index, merge.token());
                        symbols.remove(index + 1);
                    }
                }
            }
        }
    }

    /**
     * Seeded pseudo-English: about {@code length} chars of words built from syllables with a skewed
     * frequency, commas, full stops and newlines.
     */
    static String syntheticCorpus(int length, long seed) {
        String[] syllables = {"the", "an", "ing", "er", "re", "on", "at", "en", "st", "or", "al", "it", "ou",
            "le", "ve", "co", "ma", "ti", "pro", "de", "s", "t", "ly", "ed", "in", "ex", "un", "ch", "qu", "z"};
        Random random = new Random(seed);
        List<String> lexicon = new ArrayList<>();
        for (int index = 0; index < 1500; index++) {
            StringBuilder word = new StringBuilder();
            int parts = 1 + random.nextInt(3);
            for (int part = 0; part < parts; part++) {
                word.append(syllables[(int) (syllables.length * Math.pow(random.nextDouble(), 2))]);
            }
            lexicon.add(word.toString());
        }
        StringBuilder text = new StringBuilder(length + 20);
        while (text.length() < length) {
            text.append(lexicon.get((int) (lexicon.size() * Math.pow(random.nextDouble(), 3))));
            double gap = random.nextDouble();
            text.append(gap < 0.05 ? ", " : gap < 0.09 ? ".\n" : " ");
        }
        return text.toString();
    }
}
