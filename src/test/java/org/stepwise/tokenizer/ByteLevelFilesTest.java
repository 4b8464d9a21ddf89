package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte-level file formats on small hand-made files (vocab.json + merges.txt, tokenizer.json),
 * saving and loading GPT-2, and one clear message for each kind of broken folder.
 */
class ByteLevelFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Seven merges over the 256 byte symbols; ids 256.. are their results, then {@code <|endoftext|>}. */
    private static final List<String> MERGES = List.of("Ġ t", "h e", "Ġt he", "i n", "Ġ c", "a t", "Ġc at", "a a");
    private static final int END_OF_TEXT = 264;
    /** "the cat in the hat" by hand: t he | Ġcat | Ġ in | Ġthe | Ġ h at (GPT-2 byte ids: t 83, h 71, Ġ 220, a 64). */
    private static final int[] THE_CAT_IN_THE_HAT = {83, 257, 262, 220, 259, 258, 220, 71, 261};

    @TempDir
    Path dir;

    /** The 256 byte symbols in GPT-2's id order: the printable bytes, then the moved ones. */
    private static List<String> byteSymbols() {
        char[] symbolOf = Gpt2TestFolder.bytesToUnicode();
        List<String> symbols = new ArrayList<>();
        for (int value = 0; value < 256; value++) {
            if (symbolOf[value] == value) {
                symbols.add(String.valueOf(symbolOf[value]));
            }
        }
        for (int value = 0; value < 256; value++) {
            if (symbolOf[value] != value) {
                symbols.add(String.valueOf(symbolOf[value]));
            }
        }
        return symbols;
    }

    private static Map<String, Integer> tinyVocab() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String symbol : byteSymbols()) {
            vocab.put(symbol, vocab.size());
        }
        for (String merge : MERGES) {
            vocab.put(merge.replace(" ", ""), vocab.size());
        }
        vocab.put("<|endoftext|>", vocab.size());
        return vocab;
    }

    /** The tiny vocabulary without {@code token}, the later ids moved down by one. */
    private static Map<String, Integer> tinyVocabWithout(String token) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String entry : tinyVocab().keySet()) {
            if (!entry.equals(token)) {
                vocab.put(entry, vocab.size());
            }
        }
        return vocab;
    }

    private void write(String file, String content) throws IOException {
        Files.write(dir.resolve(file), content.getBytes(StandardCharsets.UTF_8));
    }

    private void writeVocabAndMerges(Map<String, Integer> vocab, List<String> merges) throws IOException {
        write("vocab.json", JSON.writeValueAsString(vocab));
        write("merges.txt", "#version: 0.2\n" + String.join("\n", merges) + "\n");
    }

    private String tokenizerJson(Map<String, Integer> vocab, List<Object> merges, String extra) throws IOException {
        return "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null,"
                + " \"added_tokens\": [{\"id\": " + vocab.getOrDefault("<|endoftext|>", END_OF_TEXT) + ", \"content\": \"<|endoftext|>\", \"single_word\": false,"
                + " \"lstrip\": false, \"rstrip\": false, \"normalized\": true, \"special\": true}],"
                + " \"normalizer\": null,"
                + " \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true},"
                + " \"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": false, \"use_regex\": true},"
                + " \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},"
                + " \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": \"\","
                + " \"end_of_word_suffix\": \"\", \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,"
                + " \"vocab\": " + JSON.writeValueAsString(vocab) + ", \"merges\": " + JSON.writeValueAsString(merges) + "}" + extra + "}";
    }

    @Test
    void handMadeVocabAndMergesEncodeAsWorkedOutByHand() throws IOException {
        writeVocabAndMerges(tinyVocab(), MERGES);
        ByteLevelBpeTokenizer tokenizer = (ByteLevelBpeTokenizer) TokenizerFiles.load(dir);
        assertEquals(265, tokenizer.vocabSize());
        assertEquals(new Tokenizer.SpecialTokens(END_OF_TEXT, -1, -1), tokenizer.specials());
        Tokenizer.Encoding encoding = tokenizer.encode("the cat in the hat");
        assertArrayEquals(THE_CAT_IN_THE_HAT, encoding.ids());
        assertEquals(List.of("t", "he", "Ġcat", "Ġ", "in", "Ġthe", "Ġ", "h", "at"), encoding.tokens());
        assertEquals(new Tokenizer.Span(3, 7), encoding.spans().get(2));
        // "a a" merges the leftmost pair first: aaa → aa a.
        assertArrayEquals(new int[] {263, 64}, tokenizer.encode("aaa").ids());
        assertArrayEquals(new int[] {263, 263}, tokenizer.encode("aaaa").ids());
        assertArrayEquals(new int[] {83, 257, END_OF_TEXT}, tokenizer.encode("the<|endoftext|>").ids());
        assertEquals("the cat in the hat", tokenizer.decode(THE_CAT_IN_THE_HAT));
    }

    @Test
    void handMadeTokenizerJsonGivesTheSameTokenizer() throws IOException {
        List<Object> merges = new ArrayList<>();
        for (int index = 0; index < MERGES.size(); index++) {
            String merge = MERGES.get(index);
            merges.add(index % 2 == 0 ? merge : List.of(merge.split(" ")));
        }
        Map<String, Integer> vocab = tinyVocab();
        write("tokenizer.json", tokenizerJson(vocab, merges, ""));
        ByteLevelBpeTokenizer fromJson = (ByteLevelBpeTokenizer) TokenizerFiles.load(dir);
        assertArrayEquals(THE_CAT_IN_THE_HAT, fromJson.encode("the cat in the hat").ids());
        assertEquals(END_OF_TEXT, fromJson.specials().eos());
        assertEquals(MERGES.size(), fromJson.merges().size());
        assertEquals(new ByteLevelBpeTokenizer.Merge(2, "Ġt", "he"), fromJson.merges().get(2));

        // An added token beyond the vocabulary extends it; tokenizer_config.json names it the padding token.
        vocab.remove("<|endoftext|>");
        write("tokenizer.json", tokenizerJson(vocab, merges, ""));
        write("tokenizer_config.json", "{\"pad_token\": {\"content\": \"<|endoftext|>\"}, \"model_max_length\": 1024}");
        Tokenizer extended = TokenizerFiles.load(dir);
        assertEquals(new Tokenizer.SpecialTokens(END_OF_TEXT, -1, END_OF_TEXT), extended.specials());
        assertEquals(265, extended.vocabSize());
    }

    @Test
    void vocabAndMergesAreReadBeforeTokenizerJson() throws IOException {
        writeVocabAndMerges(tinyVocab(), MERGES);
        write("tokenizer.json", "{\"model\": {\"type\": \"WordPiece\"}}");
        assertArrayEquals(THE_CAT_IN_THE_HAT, TokenizerFiles.load(dir).encode("the cat in the hat").ids());
    }

    @Test
    void savedGpt2FilesAreTheHuggingFaceFilesAgain() throws IOException {
        Path original = dir.resolve("original");
        Gpt2TestFolder.write(original);
        Tokenizer gpt2 = TokenizerFiles.load(original);
        Path saved = dir.resolve("saved");
        Files.createDirectories(saved);
        Files.writeString(saved.resolve("tokenizer.json"), "{\"stale\": true}");
        TokenizerFiles.save(gpt2, saved);

        assertEquals(Files.readString(original.resolve("merges.txt")), Files.readString(saved.resolve("merges.txt")));
        assertEquals(JSON.readTree(original.resolve("vocab.json").toFile()), JSON.readTree(saved.resolve("vocab.json").toFile()));
        assertFalse(Files.exists(saved.resolve("tokenizer.json")), "a stale tokenizer.json is removed");
        JsonNode config = JSON.readTree(saved.resolve("tokenizer_config.json").toFile());
        assertEquals("GPT2Tokenizer", config.get("tokenizer_class").asText());
        assertEquals("<|endoftext|>", config.get("eos_token").asText());
        assertEquals("<|endoftext|>", config.get("added_tokens_decoder").get("50256").get("content").asText());
        assertFalse(config.has(TokenizerFiles.STRATEGY_KEY));

        Tokenizer reloaded = TokenizerFiles.load(saved);
        assertEquals(gpt2.specials(), reloaded.specials());
        for (String text : Gpt2Samples.WRITTEN) {
            assertArrayEquals(gpt2.encode(text).ids(), reloaded.encode(text).ids(), text);
        }
    }

    @Test
    void stepwiseFormatsStillLoadBesideByteLevel() throws IOException {
        BpeTokenizer bpe = BpeTokenizer.train("hello hello world world", 4);
        TokenizerFiles.save(bpe, dir);
        Tokenizer loaded = TokenizerFiles.load(dir);
        assertEquals(Tokenizer.Kind.BPE, loaded.kind());
        assertArrayEquals(bpe.encode("hello world").ids(), loaded.encode("hello world").ids());
    }

    private IOException loadFails(String... fragments) {
        IOException error = assertThrows(IOException.class, () -> TokenizerFiles.load(dir));
        for (String fragment : fragments) {
            assertTrue(error.getMessage().contains(fragment), "\"" + error.getMessage() + "\" should mention " + fragment);
        }
        assertFalse(error.getMessage().contains("\n"), "one line: " + error.getMessage());
        return error;
    }

    @Test
    void mergesThatDoNotMatchTheVocabularyAreRefused() throws IOException {
        List<String> unknownPart = new ArrayList<>(MERGES);
        unknownPart.add("Ġcat zz");
        writeVocabAndMerges(tinyVocab(), unknownPart);
        loadFails("merges.txt", "line 10", "\"zz\"", "not in vocab.json");

        List<String> unknownResult = new ArrayList<>(MERGES);
        unknownResult.add("Ġ q");
        writeVocabAndMerges(tinyVocab(), unknownResult);
        loadFails("merges.txt", "line 10", "\"Ġq\"", "not in vocab.json");

        List<String> specialPart = new ArrayList<>(MERGES);
        specialPart.add(0, "<|endoftext|> a");
        Map<String, Integer> vocab = tinyVocab();
        vocab.put("<|endoftext|>a", vocab.size());
        writeVocabAndMerges(vocab, specialPart);
        loadFails("merges.txt", "<|endoftext|>", "special token");

        writeVocabAndMerges(tinyVocab(), MERGES);
        write("merges.txt", "Ġ t\nh e\n");
        loadFails("merges.txt", "line 1", "#version: 0.2");
    }

    @Test
    void vocabularyProblemsAreRefused() throws IOException {
        writeVocabAndMerges(tinyVocabWithout("A"), MERGES);
        loadFails("vocab.json", "byte symbol \"A\" (byte 0x41) is missing");

        Map<String, Integer> foreign = tinyVocab();
        foreign.put("日本", foreign.size());
        writeVocabAndMerges(foreign, MERGES);
        loadFails("vocab.json", "\"日本\"", "not a byte-level symbol");

        Map<String, Integer> gap = tinyVocab();
        gap.put("<|endoftext|>", 300);
        writeVocabAndMerges(gap, MERGES);
        loadFails("vocab.json", "id 300", "without gaps");

        Map<String, Integer> shared = tinyVocab();
        shared.put("<|endoftext|>", 3);
        writeVocabAndMerges(shared, MERGES);
        loadFails("vocab.json", "id 3 is used by both");

        writeVocabAndMerges(tinyVocab(), MERGES);
        write("vocab.json", "{\"a\": 0, ");
        loadFails("vocab.json", "not valid JSON");

        writeVocabAndMerges(tinyVocab(), MERGES);
        write("tokenizer_config.json", "{\"pad_token\": \"<pad>\"}");
        loadFails("tokenizer_config.json", "\"<pad>\"", "not in the vocabulary");
        write("tokenizer_config.json", "{\"add_prefix_space\": true}");
        loadFails("tokenizer_config.json", "add_prefix_space");
        write("tokenizer_config.json", "{\"model_max_length\": 1024");
        loadFails("tokenizer_config.json", "not valid JSON");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        write("tokenizer_config.json", "{\"model_max_length\": 1024}");
        loadFails("tokenizer_config.json", "stepwise_tokenizer");
        write("vocab.json", JSON.writeValueAsString(tinyVocab()));
        loadFails("merges.txt is missing");
        IOException noFolder = assertThrows(IOException.class, () -> TokenizerFiles.load(dir.resolve("nothing")));
        assertTrue(noFolder.getMessage().contains("nothing"), noFolder.getMessage());
    }

    @Test
    void brokenTokenizerJsonIsRefused() throws IOException {
        List<Object> merges = new ArrayList<>(MERGES);
        write("tokenizer.json", "{\"model\": ");
        loadFails("tokenizer.json", "not valid JSON");
        write("tokenizer.json", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
        loadFails("tokenizer.json", "\"WordPiece\"", "BPE");
        write("tokenizer.json", tokenizerJson(tinyVocab(), merges, "").replace("\"add_prefix_space\": false", "\"add_prefix_space\": true"));
        loadFails("tokenizer.json", "add_prefix_space");
        write("tokenizer.json", tokenizerJson(tinyVocab(), merges, "").replace("\"normalizer\": null", "\"normalizer\": {\"type\": \"NFC\"}"));
        loadFails("tokenizer.json", "normalizer", "NFC");
        write("tokenizer.json", tokenizerJson(tinyVocab(), merges, "").replace("\"dropout\": null", "\"dropout\": 0.1"));
        loadFails("tokenizer.json", "dropout");
        write("tokenizer.json", tokenizerJson(tinyVocab(), merges, "")
                .replace("\"type\": \"ByteLevel\", \"add_prefix_space\": false", "\"type\": \"Whitespace\", \"add_prefix_space\": false"));
        loadFails("tokenizer.json", "pre-tokenizer", "Whitespace");

        List<Object> unknownPart = new ArrayList<>(MERGES);
        unknownPart.add(List.of("Ġcat", "zz"));
        write("tokenizer.json", tokenizerJson(tinyVocab(), unknownPart, ""));
        loadFails("tokenizer.json", "model.merges\"[8]", "\"zz\"");
        List<Object> badShape = new ArrayList<>(MERGES);
        badShape.add("a b c");
        write("tokenizer.json", tokenizerJson(tinyVocab(), badShape, ""));
        loadFails("tokenizer.json", "model.merges\"[8]", "\"left right\"");

        write("tokenizer.json", tokenizerJson(tinyVocabWithout("Ġ"), List.of(), ""));
        loadFails("tokenizer.json", "byte symbol \"Ġ\" (byte 0x20) is missing");
    }
}
