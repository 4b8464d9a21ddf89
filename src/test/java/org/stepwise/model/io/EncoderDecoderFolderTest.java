package org.stepwise.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.WordTokenizer;

/** Saving and opening an encoder-decoder model folder, and the messages of broken folders. */
class EncoderDecoderFolderTest {

    @TempDir
    Path dir;

    private static LoadedEncoderDecoder model() {
        WordTokenizer english = WordTokenizer.train("I have three red apples. She reads a book.");
        CharTokenizer chinese = CharTokenizer.train("我有三个红苹果。她在看书。");
        ModelConfig shared = new ModelConfig(chinese.vocabSize(), 12, 2, 4, 2, 8, 16, ModelConfig.Activation.GELU_TANH,
                ModelConfig.Positional.LEARNED, ModelConfig.Norm.PRE_LN, false, true, 0, 0, 1e-5, 10000.0);
        EncoderDecoderConfig config = new EncoderDecoderConfig(shared, english.vocabSize(), 3);
        return new LoadedEncoderDecoder("tiny", config, ParameterLayout.of(config).initialize(5), english, chinese,
                true);
    }

    @Test
    void aSavedModelOpensWithTheSameConfigWeightsAndTokenizers() throws IOException {
        LoadedEncoderDecoder saved = model();
        EncoderDecoderFolder.save(dir, saved, true, Map.of("step", "0"));
        LoadedEncoderDecoder loaded = EncoderDecoderFolder.load(dir);
        assertEquals(saved.config(), loaded.config());
        for (String name : saved.parameters().names()) {
            assertArrayEquals(saved.parameters().get(name).data, loaded.parameters().get(name).data, 0.0, name);
        }
        assertEquals(saved.parameters().names(), loaded.parameters().names());
        String english = "I have three red apples.";
        assertArrayEquals(saved.sourceTokenizer().encode(english).ids(), loaded.sourceTokenizer().encode(english).ids());
        assertEquals("我有三个红苹果。", loaded.targetTokenizer().decode(loaded.targetTokenizer().encode("我有三个红苹果。").ids()));
        assertEquals(0, loaded.startId());
        assertTrue(loaded.lowercaseSource());
        assertArrayEquals(loaded.sourceTokenizer().encode("i have three red apples.").ids(),
                loaded.encodeSource("I have three RED apples."));

        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals("encoder-decoder", config.get("stepwise_architecture").asText());
        assertEquals(3, config.get("stepwise_n_encoder_layer").asInt());
        assertEquals(2, config.get("n_layer").asInt());
        assertEquals(saved.sourceTokenizer().vocabSize(), config.get("stepwise_source_vocab_size").asInt());
        assertEquals(saved.targetTokenizer().vocabSize(), config.get("vocab_size").asInt());
        assertEquals(0, config.get("decoder_start_token_id").asInt());
        assertTrue(EncoderDecoderFolder.isEncoderDecoder(dir));
        assertTrue(Files.isRegularFile(dir.resolve("source_tokenizer/vocab.json")));
        assertTrue(Files.isRegularFile(dir.resolve("target_tokenizer/tokenizer_config.json")));
    }

    @Test
    void theDecoderOnlyFolderReaderRefusesItWithAPointer() throws IOException {
        EncoderDecoderFolder.save(dir, model(), false, null);
        ModelFileException problem = assertThrows(ModelFileException.class, () -> ModelFolder.load(dir));
        assertTrue(problem.getMessage().contains("encoder-decoder"), problem.getMessage());
        assertTrue(problem.getMessage().contains("EncoderDecoderFolder"), problem.getMessage());
    }

    @Test
    void aDecoderOnlyFolderIsNotTakenForATranslationModel() throws IOException {
        CharTokenizer tokenizer = CharTokenizer.train("abc");
        ModelConfig config = ModelConfig.gpt2Like(tokenizer.vocabSize(), 8, 1, 2, 8);
        ModelFolder.save(dir, new LoadedModel("plain", config, ParameterLayout.of(config).initialize(1), tokenizer),
                null);
        assertFalse(EncoderDecoderFolder.isEncoderDecoder(dir));
        assertEquals(config, ModelFolder.load(dir).config());
        ModelFileException problem = assertThrows(ModelFileException.class, () -> EncoderDecoderFolder.load(dir));
        assertTrue(problem.getMessage().contains("not an encoder-decoder model"), problem.getMessage());
    }

    @Test
    void brokenFoldersNameTheFileAndTheProblem() throws IOException {
        EncoderDecoderFolder.save(dir, model(), false, null);
        Path config = dir.resolve("config.json");
        String json = Files.readString(config);

        Files.writeString(config, json.replace("\"stepwise_n_encoder_layer\" : 3,", ""));
        assertMessage("missing key \"stepwise_n_encoder_layer\"");
        Files.writeString(config, json.replace("\"stepwise_n_encoder_layer\" : 3", "\"stepwise_n_encoder_layer\" : 0"));
        assertMessage("stepwise_n_encoder_layer must be at least 1");
        Files.writeString(config, json.replace("\"stepwise_n_encoder_layer\" : 3", "\"stepwise_n_encoder_layer\" : 2"));
        assertMessage("that a model with this config does not have: encoder.h.2.ln_1.weight");
        Files.writeString(config, json.replace("\"decoder_start_token_id\" : 0", "\"decoder_start_token_id\" : 5"));
        assertMessage("\"decoder_start_token_id\" is 5");
        Files.writeString(config, json.substring(0, json.length() / 2));
        assertMessage("not valid JSON");
        Files.writeString(config, json);

        Path sourceVocab = dir.resolve("source_tokenizer/vocab.json");
        byte[] vocab = Files.readAllBytes(sourceVocab);
        Files.delete(sourceVocab);
        Files.delete(dir.resolve("source_tokenizer/tokenizer_config.json"));
        Files.delete(dir.resolve("source_tokenizer"));
        assertMessage("source_tokenizer: the folder is missing");
        Files.createDirectories(dir.resolve("source_tokenizer"));
        CharTokenizer other = CharTokenizer.train("xyz");
        org.stepwise.tokenizer.TokenizerFiles.save(other, dir.resolve("source_tokenizer"));
        assertMessage("the source tokenizer has 6 tokens");
        assertTrue(new String(vocab, StandardCharsets.UTF_8).contains("apples"));
    }

    private void assertMessage(String expected) {
        IOException problem = assertThrows(IOException.class, () -> EncoderDecoderFolder.load(dir));
        assertTrue(problem.getMessage().contains(expected), problem.getMessage());
    }
}
