package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The bundled English→Chinese sentence pairs: their format, the sizes of the two splits, no test sentence in
 * training, and a test split whose every English word and Chinese character occurs in training.
 */
class ParallelCorpusFilesTest {

    private static final Path FOLDER = Path.of("assets", "corpus", "en-zh");
    private static final Pattern ENGLISH_SENTENCE = Pattern.compile("[a-z]+( [a-z]+)*\\??");
    private static final int FEWEST_WORDS = 3;
    private static final int MOST_WORDS = 9;
    private static final int MOST_ENGLISH_WORDS_IN_VOCABULARY = 150;
    private static final String STATEMENT_END = "。";
    private static final String QUESTION_END = "？";

    /** English counting words and the Chinese numeral each one becomes ("a"/"an" count one; "how many" asks 几). */
    private static final Map<String, Character> NUMERALS = Map.ofEntries(
            Map.entry("a", '一'), Map.entry("an", '一'), Map.entry("one", '一'), Map.entry("two", '两'),
            Map.entry("three", '三'), Map.entry("four", '四'), Map.entry("five", '五'), Map.entry("six", '六'),
            Map.entry("seven", '七'), Map.entry("eight", '八'), Map.entry("nine", '九'), Map.entry("ten", '十'),
            Map.entry("many", '几'));
    private static final String CHINESE_NUMERALS = "一两三四五六七八九十几";
    private static final Set<String> MODIFIERS = Set.of("big", "small", "red", "blue", "green", "yellow", "white",
            "black");

    /** One line of a split: the English sentence and its Chinese translation. */
    private record Pair(int lineNumber, String english, String chinese) {

        List<String> englishTokens() {
            return tokens(english);
        }
    }

    /** An English sentence's words, with a final question mark as a token of its own. */
    private static List<String> tokens(String english) {
        return Arrays.asList(english.replace("?", " ?").split(" "));
    }

    private static List<Pair> read(String fileName) throws IOException {
        byte[] bytes = Files.readAllBytes(FOLDER.resolve(fileName));
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError(fileName + " is not valid UTF-8", e);
        }
        assertFalse(text.startsWith("\uFEFF"), fileName + " starts with a byte order mark");
        assertFalse(text.contains("\r"), fileName + " has carriage returns; lines end with \\n alone");
        assertTrue(text.endsWith("\n"), fileName + " does not end with a line break");
        List<Pair> pairs = new ArrayList<>();
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String[] columns = lines[i].split("\t", -1);
            if (columns.length != 2) {
                fail(fileName + " line " + (i + 1) + " has " + columns.length + " tab-separated columns, not 2: "
                        + lines[i]);
            }
            pairs.add(new Pair(i + 1, columns[0], columns[1]));
        }
        return pairs;
    }

    private static List<Pair> train() throws IOException {
        return read("train.tsv");
    }

    private static List<Pair> test() throws IOException {
        return read("test.tsv");
    }

    private static void checkFormat(String fileName, List<Pair> pairs) {
        for (Pair pair : pairs) {
            String where = fileName + " line " + pair.lineNumber() + ": ";
            assertTrue(ENGLISH_SENTENCE.matcher(pair.english()).matches(),
                    where + "English is not lowercase words separated by single spaces: " + pair.english());
            int words = pair.english().split(" ").length;
            assertTrue(words >= FEWEST_WORDS && words <= MOST_WORDS,
                    where + words + " English words, not " + FEWEST_WORDS + "–" + MOST_WORDS + ": " + pair.english());
            String chinese = pair.chinese();
            boolean question = pair.english().endsWith("?");
            String end = question ? QUESTION_END : STATEMENT_END;
            assertTrue(chinese.endsWith(end), where + "Chinese should end with " + end + ": " + chinese);
            String body = chinese.substring(0, chinese.length() - 1);
            assertFalse(body.isEmpty(), where + "the Chinese translation is empty");
            for (int i = 0; i < body.length(); i++) {
                char character = body.charAt(i);
                assertTrue(Character.UnicodeScript.of(character) == Character.UnicodeScript.HAN,
                        where + "Chinese has '" + character + "' before its final punctuation: " + chinese);
            }
        }
    }

    @Test
    void everyLineIsAnEnglishSentenceATabAndItsChineseTranslation() throws IOException {
        checkFormat("train.tsv", train());
        checkFormat("test.tsv", test());
    }

    @Test
    void trainingHasAFewHundredPairsAndTheTestSplitAboutSixty() throws IOException {
        int trainCount = train().size();
        int testCount = test().size();
        assertTrue(trainCount >= 400 && trainCount <= 600, "train.tsv has " + trainCount + " pairs");
        assertTrue(testCount >= 50 && testCount <= 70, "test.tsv has " + testCount + " pairs");
    }

    @Test
    void noSentenceRepeatsWithinASplitOrAcrossTheSplits() throws IOException {
        Set<String> english = new HashSet<>();
        Set<String> chinese = new HashSet<>();
        for (Pair pair : train()) {
            assertTrue(english.add(pair.english()), "train.tsv repeats " + pair.english());
            assertTrue(chinese.add(pair.chinese()), "train.tsv repeats " + pair.chinese());
        }
        Set<String> testEnglish = new HashSet<>();
        for (Pair pair : test()) {
            assertTrue(testEnglish.add(pair.english()), "test.tsv repeats " + pair.english());
            assertFalse(english.contains(pair.english()), "test sentence also in train.tsv: " + pair.english());
            assertFalse(chinese.contains(pair.chinese()), "test translation also in train.tsv: " + pair.chinese());
        }
    }

    @Test
    void everyTestWordAndCharacterOccursInTraining() throws IOException {
        Set<String> englishVocabulary = new HashSet<>();
        Set<Integer> chineseCharacters = new HashSet<>();
        for (Pair pair : train()) {
            englishVocabulary.addAll(pair.englishTokens());
            pair.chinese().codePoints().forEach(chineseCharacters::add);
        }
        assertTrue(englishVocabulary.size() <= MOST_ENGLISH_WORDS_IN_VOCABULARY,
                "the English vocabulary has " + englishVocabulary.size() + " words");
        Set<String> unseenWords = new TreeSet<>();
        Set<String> unseenCharacters = new TreeSet<>();
        for (Pair pair : test()) {
            for (String word : pair.englishTokens()) {
                if (!englishVocabulary.contains(word)) {
                    unseenWords.add(word);
                }
            }
            pair.chinese().codePoints().filter(c -> !chineseCharacters.contains(c))
                    .forEach(c -> unseenCharacters.add(Character.toString(c)));
        }
        assertEquals(Set.of(), unseenWords, "English words of test.tsv missing from train.tsv");
        assertEquals(Set.of(), unseenCharacters, "Chinese characters of test.tsv missing from train.tsv");
    }

    /**
     * Each English count becomes the same Chinese numeral (两, never 二, before a measure word), and each English
     * noun always takes one measure word, in both splits.
     */
    @Test
    void numbersTranslateInOrderAndEachNounKeepsOneMeasureWord() throws IOException {
        Map<String, Set<Character>> measureWordsByNoun = new TreeMap<>();
        List<Pair> all = new ArrayList<>(train());
        all.addAll(test());
        for (Pair pair : all) {
            assertFalse(pair.chinese().contains("二"), "二 where 两 belongs: " + pair.chinese());
            List<String> words = pair.englishTokens();
            List<Integer> englishCounts = new ArrayList<>();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < words.size(); i++) {
                Character numeral = NUMERALS.get(words.get(i));
                if (numeral != null) {
                    englishCounts.add(i);
                    expected.append(numeral);
                }
            }
            StringBuilder found = new StringBuilder();
            List<Integer> chineseCounts = new ArrayList<>();
            for (int i = 0; i < pair.chinese().length(); i++) {
                if (CHINESE_NUMERALS.indexOf(pair.chinese().charAt(i)) >= 0) {
                    found.append(pair.chinese().charAt(i));
                    chineseCounts.add(i);
                }
            }
            assertEquals(expected.toString(), found.toString(),
                    "numerals of \"" + pair.english() + "\" in " + pair.chinese());
            for (int k = 0; k < englishCounts.size(); k++) {
                int wordIndex = englishCounts.get(k) + 1;
                while (wordIndex < words.size() && MODIFIERS.contains(words.get(wordIndex))) {
                    wordIndex++;
                }
                String noun = words.get(wordIndex);
                char measureWord = pair.chinese().charAt(chineseCounts.get(k) + 1);
                measureWordsByNoun.computeIfAbsent(noun, key -> new TreeSet<>()).add(measureWord);
            }
        }
        Map<String, Set<Character>> inconsistent = new HashMap<>();
        measureWordsByNoun.forEach((noun, measureWords) -> {
            if (measureWords.size() != 1) {
                inconsistent.put(noun, measureWords);
            }
        });
        assertEquals(Map.of(), inconsistent, "nouns counted with more than one measure word");
        assertTrue(measureWordsByNoun.size() >= 20, "counted nouns: " + measureWordsByNoun.keySet());
    }
}
