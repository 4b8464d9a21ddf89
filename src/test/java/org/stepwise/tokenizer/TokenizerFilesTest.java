package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading tokenizers as vocab.json / merges.txt / tokenizer_config.json, and broken folders. */
class TokenizerFilesTest {

    private static final String SAMPLE = "the cat sat on the mat, the cat ate the rat.\n\t我爱北京 😀 naïve  end";
    private static final String CORPUS = BpeTokenizerProperties.CORPUS + " " + BpeTokenizerTest.HELLO_CORPUS;

    @TempDir
    Path dir;

    private static void assertSameTokenizer(Tokenizer saved, Tokenizer loaded) {
        assertEquals(saved.getClass(), loaded.getClass());
        assertEquals(saved.kind(), loaded.kind());
        assertEquals(saved.specials(), loaded.specials());
        assertEquals(saved.vocabSize(), loaded.vocabSize());
        for (int id = 0; id < saved.vocabSize(); id++) {
            assertEquals(saved.token(id), loaded.token(id), "token of id " + id);
        }
        for (String text : List.of(SAMPLE, CORPUS, "", "zebra  ✓ hello world")) {
            Tokenizer.Encoding before = saved.encode(text);
            Tokenizer.Encoding after = loaded.encode(text);
            assertArrayEquals(before.ids(), after.ids(), "ids of \"" + text + "\"");
            assertEquals(before.spans(), after.spans());
            assertEquals(saved.decode(before.ids()), loaded.decode(after.ids()));
        }
    }

    @Test
    void characterTokenizerSurvivesSaveAndLoad() throws IOException {
        CharTokenizer tokenizer = CharTokenizer.train(CORPUS + "\uD800 \u0000");
        TokenizerFiles.save(tokenizer, dir);
        assertSameTokenizer(tokenizer, TokenizerFiles.load(dir));
        assertFalse(Files.exists(dir.resolve(TokenizerFiles.MERGES_FILE)));
    }

    @Test
    void wordTokenizerSurvivesSaveAndLoad() throws IOException {
        WordTokenizer tokenizer = WordTokenizer.train(CORPUS);
        TokenizerFiles.save(tokenizer, dir);
        assertSameTokenizer(tokenizer, TokenizerFiles.load(dir));
    }

    @Test
    void bpeSurvivesSaveAndLoadWithItsMergeHistory() throws IOException {
        BpeTokenizer tokenizer = BpeTokenizer.train(CORPUS, 60);
        TokenizerFiles.save(tokenizer, dir);
        Tokenizer loaded = TokenizerFiles.load(dir);
        assertSameTokenizer(tokenizer, loaded);
        assertEquals(tokenizer.merges(), ((BpeTokenizer) loaded).merges());
    }

    @Test
    void filesFollowTheHuggingFaceLayout() throws IOException {
        BpeTokenizer tokenizer = BpeTokenizer.train(BpeTokenizerTest.HELLO_CORPUS, 6);
        Path nested = dir.resolve("model/tokenizer");
        TokenizerFiles.save(tokenizer, nested);

        List<String> merges = Files.readAllLines(nested.resolve("merges.txt"), StandardCharsets.UTF_8);
        assertEquals(List.of("#version: 0.2", "h e", "l o</w>", "w o", "wo r", "l d</w>", "l lo</w>"), merges);

        ObjectMapper json = new ObjectMapper();
        JsonNode vocab = json.readTree(nested.resolve("vocab.json").toFile());
        assertEquals(0, vocab.get("<eos>").intValue());
        assertEquals(1, vocab.get("<unk>").intValue());
        assertEquals(2, vocab.get("<pad>").intValue());
        assertEquals(tokenizer.id("llo</w>"), vocab.get("llo</w>").intValue());
        assertEquals(tokenizer.vocabSize(), vocab.size());

        JsonNode config = json.readTree(nested.resolve("tokenizer_config.json").toFile());
        assertEquals("bpe", config.get("stepwise_tokenizer").textValue());
        assertEquals("<eos>", config.get("eos_token").textValue());
        assertEquals("<unk>", config.get("unk_token").textValue());
        assertEquals("<pad>", config.get("pad_token").textValue());
        assertEquals("</w>", config.get("end_of_word_suffix").textValue());
        assertEquals(List.of(11, 9, 8, 7, 6, 5), json.convertValue(config.get("merge_counts"), List.class));

        try (Stream<Path> files = Files.list(nested)) {
            assertEquals(List.of("merges.txt", "tokenizer_config.json", "vocab.json"),
                    files.map(path -> path.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
    }

    @Test
    void mergesWithoutStoredCountsLoadWithUnknownCounts() throws IOException {
        TokenizerFiles.save(BpeTokenizer.train(BpeTokenizerTest.HELLO_CORPUS, 6), dir);
        write("tokenizer_config.json", "{\"stepwise_tokenizer\": \"bpe\"}");
        BpeTokenizer loaded = (BpeTokenizer) TokenizerFiles.load(dir);
        assertEquals(new BpeTokenizer.Merge(3, "wo", "r", -1, "wor"), loaded.merges().get(3));
        assertEquals(List.of("he", "llo</w>", "wor", "ld</w>"), loaded.encode("hello world").tokens());
    }

    @Test
    void savingAnotherStrategyReplacesTheFolderContents() throws IOException {
        TokenizerFiles.save(BpeTokenizer.train(CORPUS, 20), dir);
        CharTokenizer characters = CharTokenizer.train(CORPUS);
        TokenizerFiles.save(characters, dir);
        assertFalse(Files.exists(dir.resolve("merges.txt")), "stale merges.txt removed");
        assertInstanceOf(CharTokenizer.class, TokenizerFiles.load(dir));
    }

    // ------------------------------------------------------------------ broken folders

    private void write(String file, String content) throws IOException {
        Files.write(dir.resolve(file), content.getBytes(StandardCharsets.UTF_8));
    }

    private void saveBpe() throws IOException {
        TokenizerFiles.save(BpeTokenizer.train(BpeTokenizerTest.HELLO_CORPUS, 6), dir);
    }

    private IOException loadFails(String... expectedFragments) {
        IOException error = assertThrows(IOException.class, () -> TokenizerFiles.load(dir));
        for (String fragment : expectedFragments) {
            assertTrue(error.getMessage().contains(fragment), "\"" + error.getMessage() + "\" should mention " + fragment);
        }
        return error;
    }

    @Test
    void missingFolderOrFiles() throws IOException {
        assertThrows(IOException.class, () -> TokenizerFiles.load(dir.resolve("nowhere")));
        loadFails("tokenizer_config.json", "missing");
        saveBpe();
        Files.delete(dir.resolve("vocab.json"));
        loadFails("vocab.json", "missing");
        saveBpe();
        Files.delete(dir.resolve("merges.txt"));
        loadFails("merges.txt", "missing");
    }

    @Test
    void brokenJson() throws IOException {
        saveBpe();
        write("vocab.json", "{\"<eos>\": 0, \"<unk>\": 1,");
        loadFails("vocab.json", "not valid JSON");
        write("vocab.json", "");
        loadFails("vocab.json", "empty");
        write("vocab.json", "[\"<eos>\"]");
        loadFails("vocab.json", "JSON object");
        write("tokenizer_config.json", "{\"stepwise_tokenizer\": \"bpe\" \"eos_token\": 0}");
        loadFails("tokenizer_config.json", "not valid JSON");
    }

    @Test
    void badVocabularies() throws IOException {
        write("tokenizer_config.json", "{\"stepwise_tokenizer\": \"word\"}");
        write("vocab.json", "{\"<eos>\": 0, \"<unk>\": 1, \"<pad>\": 2, \"cat\": \"3\"}");
        loadFails("vocab.json", "\"cat\"", "not an integer");
        write("vocab.json", "{\"<eos>\": 0, \"<unk>\": 1, \"<pad>\": 2, \"cat\": 7}");
        loadFails("vocab.json", "\"cat\"", "0..3");
        write("vocab.json", "{\"<eos>\": 0, \"<unk>\": 1, \"<pad>\": 2, \"cat\": 2}");
        loadFails("vocab.json", "id 2", "\"<pad>\"", "\"cat\"");
        write("vocab.json", "{\"<eos>\": 0, \"<unk>\": 1, \"<pad>\": 2, \"cat\": 3, \"cat\": 4}");
        loadFails("vocab.json", "Duplicate");
        write("vocab.json", "{\"<unk>\": 0, \"<eos>\": 1, \"<pad>\": 2, \"cat\": 3}");
        loadFails("vocab.json", "id 0 must be <eos>");
        write("vocab.json", "{\"<eos>\": 0, \"<unk>\": 1, \"<pad>\": 2, \"the cat\": 3}");
        loadFails("vocab.json", "\"the cat\"");
        write("tokenizer_config.json", "{\"stepwise_tokenizer\": \"character\"}");
        loadFails("vocab.json", "single code points");
    }

    @Test
    void badMerges() throws IOException {
        saveBpe();
        write("merges.txt", "h e\nl o</w>\n");
        loadFails("merges.txt", "line 1", "#version: 0.2");
        write("merges.txt", "#version: 0.2\nh e\nl o </w>\n");
        loadFails("merges.txt", "line 3", "two symbols");
        write("merges.txt", "#version: 0.2\nh e\nq u\n");
        loadFails("merges.txt", "line 3", "\"q\"", "not in vocab.json");
        write("merges.txt", "#version: 0.2\nh e\nh e\n");
        loadFails("merges.txt", "line 3 repeats line 2");
        write("merges.txt", "#version: 0.2\nh e\nl o</w>\nw o\nwo r\nl d</w>\nl lo</w>\nhe llo</w>\n");
        loadFails("merges.txt", "line 8", "\"hello</w>\"", "not in vocab.json");
        Files.write(dir.resolve("merges.txt"), new byte[] {'#', 'v', '\n', (byte) 0xC3, (byte) 0x28, ' ', 'e', '\n'});
        loadFails("merges.txt", "UTF-8");
        saveBpe();
        write("tokenizer_config.json", "{\"stepwise_tokenizer\": \"bpe\", \"merge_counts\": [1, 2]}");
        loadFails("tokenizer_config.json", "merge_counts", "6 counts");
    }

    @Test
    void badConfigs() throws IOException {
        saveBpe();
        write("tokenizer_config.json", "{\"stepwise_tokenizer\": \"sentencepiece\"}");
        loadFails("tokenizer_config.json", "\"sentencepiece\"", "character");
        write("tokenizer_config.json", "{\"stepwise_tokenizer\": \"bpe\", \"eos_token\": \"<|endoftext|>\"}");
        loadFails("tokenizer_config.json", "eos_token", "<|endoftext|>");
        write("tokenizer_config.json", "{\"stepwise_tokenizer\": \"bpe\", \"end_of_word_suffix\": \"@@\"}");
        loadFails("tokenizer_config.json", "end_of_word_suffix");
        write("tokenizer_config.json", "[1, 2]");
        loadFails("tokenizer_config.json", "JSON object");
        write("tokenizer_config.json", "{\"tokenizer_class\": \"OpenAIGPTTokenizer\"}");
        loadFails("tokenizer_config.json", "stepwise_tokenizer");
    }

    @Test
    void folderWithoutStepwiseConfigIsReadAsByteLevelAndChecked() throws IOException {
        write("vocab.json", "{\"h\": 0, \"e\": 1, \"\u0120\": 2, \"he\": 3, \"\u0120h\": 4}");
        write("merges.txt", "#version: 0.2\nh e\n\u0120 h\n");
        loadFails("vocab.json", "byte symbol", "missing");
        write("tokenizer_config.json", "{\"tokenizer_class\": \"GPT2Tokenizer\", \"model_max_length\": 1024}");
        loadFails("vocab.json", "byte symbol", "missing");
        Files.delete(dir.resolve("merges.txt"));
        loadFails("merges.txt is missing", "stepwise_tokenizer");
    }

    @Test
    void foreignTokenizersAreNotSaved() {
        Tokenizer foreign = new Tokenizer() {
            @Override
            public Encoding encode(String text) {
                return new Encoding(new int[0], List.of(), List.of());
            }

            @Override
            public String decode(int[] ids) {
                return "";
            }

            @Override
            public int vocabSize() {
                return 0;
            }

            @Override
            public String token(int id) {
                throw new IllegalArgumentException("no ids");
            }

            @Override
            public int id(String token) {
                return -1;
            }

            @Override
            public SpecialTokens specials() {
                return new SpecialTokens(-1, -1, -1);
            }

            @Override
            public Kind kind() {
                return Kind.BYTE_LEVEL_BPE;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> TokenizerFiles.save(foreign, dir));
    }
}
