package org.stepwise.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.tensor.MatMul;
import org.stepwise.tokenizer.Gpt2TestFolder;

/** Every command on the bundled default model and on a model the command line trained; bad input exits 2. */
class CliTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEFAULT_MODEL = Path.of("assets", "model");
    private static final Path ENGLISH = Path.of("assets", "corpus", "english.txt");

    @TempDir
    static Path work;

    static Path trained;

    record Result(int code, String out, String err) {
        List<JsonNode> jsonLines() throws IOException {
            List<JsonNode> nodes = new java.util.ArrayList<>();
            for (String line : out.strip().split("\n")) {
                nodes.add(JSON.readTree(line));
            }
            return nodes;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void trainASmallModel() throws IOException {
        Path config = work.resolve("small.json");
        Files.writeString(config, "{\"model_type\":\"gpt2\",\"vocab_size\":160,\"n_positions\":16,\"n_embd\":16,"
                + "\"n_layer\":1,\"n_head\":2,\"activation_function\":\"gelu_new\"}");
        trained = work.resolve("trained");
        Result r = run("train", "--corpus", ENGLISH.toString(), "--config", config.toString(), "--steps", "30",
                "--seed", "3", "--out", trained.toString(), "--json", "--report-every", "10");
        assertEquals(0, r.code(), r.err());
        List<JsonNode> reports = r.jsonLines();
        assertEquals(3, reports.size());
        JsonNode last = reports.get(2);
        assertEquals(30, last.get("step").asInt());
        for (String key : List.of("step", "epoch", "loss", "val_loss", "tokens_per_s")) {
            assertTrue(last.has(key), key);
        }
        assertTrue(reports.get(2).get("loss").asDouble() < reports.get(0).get("loss").asDouble() + 0.5);
    }

    @Test
    void trainingIsDeterministic() throws IOException {
        Path again = work.resolve("again");
        Path config = work.resolve("small.json");
        Result r = run("train", "--corpus", ENGLISH.toString(), "--config", config.toString(), "--steps", "30",
                "--seed", "3", "--out", again.toString(), "--json", "--report-every", "10");
        assertEquals(0, r.code(), r.err());
        LoadedModel a = ModelFolder.load(trained);
        LoadedModel b = ModelFolder.load(again);
        for (String name : a.parameters().names()) {
            assertArrayEquals(a.parameters().get(name).data, b.parameters().get(name).data, name);
        }
    }

    @Test
    void tokenizeGivesIdsAndTokensForEachModel() throws IOException {
        for (Path model : List.of(DEFAULT_MODEL, trained)) {
            Result r = run("tokenize", "--tokenizer", model.toString(), "--json", "The cat sat on the mat.");
            assertEquals(0, r.code(), r.err());
            JsonNode node = r.jsonLines().get(0);
            assertEquals(node.get("ids").size(), node.get("tokens").size());
            assertTrue(node.get("ids").size() > 0);
        }
    }

    @Test
    void tokenizePrintsGpt2IdsForAGpt2Folder() throws IOException {
        Path gpt2 = work.resolve("gpt2");
        Gpt2TestFolder.write(gpt2);
        Result r = run("tokenize", "--tokenizer", gpt2.toString(), "--json", "Hello world<|endoftext|> 你好");
        assertEquals(0, r.code(), r.err());
        JsonNode node = r.jsonLines().get(0);
        int[] reference = Gpt2TestFolder.referenceIds(" 你好");
        assertEquals(3 + reference.length, node.get("ids").size());
        assertEquals(15496, node.get("ids").get(0).asInt());
        assertEquals(995, node.get("ids").get(1).asInt());
        assertEquals(Gpt2TestFolder.END_OF_TEXT_ID, node.get("ids").get(2).asInt());
        for (int index = 0; index < reference.length; index++) {
            assertEquals(reference[index], node.get("ids").get(3 + index).asInt());
        }
        assertEquals("Ġworld", node.get("tokens").get(1).asText());

        Result plain = run("tokenize", "--tokenizer", gpt2.toString(), "The cat sat on the mat.");
        assertEquals(0, plain.code(), plain.err());
        assertEquals("464:The 3797:Ġcat 3332:Ġsat 319:Ġon 262:Ġthe 2603:Ġmat 13:.", plain.out().strip());
    }

    @Test
    void tokenizeAndForwardReadJsonLinesFiles() throws IOException {
        Path strings = work.resolve("strings.jsonl");
        Files.writeString(strings, "\"The dog\"\n\n\"A red apple.\"\n", StandardCharsets.UTF_8);
        Result tokens = run("tokenize", "--tokenizer", DEFAULT_MODEL.toString(), "--input", strings.toString());
        assertEquals(0, tokens.code(), tokens.err());
        assertEquals(2, tokens.out().strip().split("\n").length);

        Path ids = work.resolve("ids.jsonl");
        Files.writeString(ids, "[1,2,3]\n[4]\n", StandardCharsets.UTF_8);
        Result logits = run("forward", "--model", DEFAULT_MODEL.toString(), "--input", ids.toString(), "--json");
        assertEquals(0, logits.code(), logits.err());
        List<JsonNode> lines = logits.jsonLines();
        assertEquals(2, lines.size());
        assertEquals(3, lines.get(0).get("logits").size());
        assertEquals(1, lines.get(1).get("logits").size());
    }

    @Test
    void benchMeasuresTheDefaultConfigAndSaysWhatMultiplies() throws IOException {
        Result r = run("bench", "--batch-size", "2", "--steps", "1", "--repeats", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode node = r.jsonLines().get(0);
        assertTrue(node.get("train_tokens_per_s").asDouble() > 0);
        assertEquals(2, node.get("batch_size").asInt());
        assertEquals(MatMul.backend(), node.get("matmul").asText());
        assertEquals(64, node.get("config").get("n_positions").asInt());

        Result bad = run("bench", "--rounds", "0");
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }

    @Test
    void forwardPrintsTheModelsRealLogits() throws IOException {
        Result r = run("forward", "--model", trained.toString(), "--ids", "1,2,3", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode node = r.jsonLines().get(0);
        LoadedModel model = ModelFolder.load(trained);
        DMatrixRMaj logits = new Transformer(model.config(), model.parameters()).forward(new int[] {1, 2, 3},
                TraceSink.NONE);
        assertEquals(3, node.get("logits").size());
        for (int t = 0; t < 3; t++) {
            for (int v = 0; v < logits.numCols; v++) {
                assertEquals(logits.get(t, v), node.get("logits").get(t).get(v).asDouble(), 0.0);
            }
        }
    }

    @Test
    void forwardDumpWritesEveryNamedTensor() throws IOException {
        Path dump = work.resolve("trace.safetensors");
        Result r = run("forward", "--model", DEFAULT_MODEL.toString(), "--text", "The cat", "--dump", dump.toString());
        assertEquals(0, r.code(), r.err());
        String header = new String(Files.readAllBytes(dump), StandardCharsets.UTF_8);
        for (String name : List.of("hook_embed", "blocks.0.attn.hook_pattern[0]", "blocks.1.hook_resid_post",
                "unembed.hook_out")) {
            assertTrue(header.contains("\"" + name + "\""), name);
        }
    }

    @Test
    void generateIsSeededAndStaysInTheVocabulary() throws IOException {
        for (Path model : List.of(DEFAULT_MODEL, trained)) {
            Result a = run("generate", "--model", model.toString(), "--prompt", "The cat", "--max-new-tokens", "12",
                    "--temperature", "0.8", "--top-k", "20", "--seed", "4", "--json");
            Result b = run("generate", "--model", model.toString(), "--prompt", "The cat", "--max-new-tokens", "12",
                    "--temperature", "0.8", "--top-k", "20", "--seed", "4", "--json");
            assertEquals(0, a.code(), a.err());
            assertEquals(a.out(), b.out());
            JsonNode node = a.jsonLines().get(0);
            assertTrue(node.get("ids").size() > 2);
            assertTrue(node.get("text").asText().startsWith("The cat"));
        }
        Result greedy = run("generate", "--model", DEFAULT_MODEL.toString(), "--ids", "5,6", "--max-new-tokens", "3",
                "--temperature", "0", "--json");
        assertEquals(0, greedy.code(), greedy.err());
        Result hot = run("generate", "--model", DEFAULT_MODEL.toString(), "--ids", "5,6", "--max-new-tokens", "3",
                "--temperature", "100", "--json");
        assertEquals(0, hot.code(), hot.err());
    }

    @Test
    void badInputExitsWithCodeTwoAndOneLine() throws IOException {
        Path broken = work.resolve("broken.jsonl");
        Files.writeString(broken, "[1, 2\n");
        List<String[]> cases = List.of(
                new String[] {"tokenize", "--tokenizer", work.resolve("missing").toString(), "hello"},
                new String[] {"tokenize", "--tokenizer", DEFAULT_MODEL.toString(), ""},
                new String[] {"forward", "--model", DEFAULT_MODEL.toString(), "--ids", "1,999999"},
                new String[] {"forward", "--model", DEFAULT_MODEL.toString(), "--ids", "1,x"},
                new String[] {"forward", "--model", DEFAULT_MODEL.toString(), "--input", broken.toString()},
                new String[] {"forward", "--model", DEFAULT_MODEL.toString(), "--text", ""},
                new String[] {"forward", "--model", work.resolve("nothing").toString(), "--ids", "1"},
                new String[] {"generate", "--model", DEFAULT_MODEL.toString(), "--prompt", "hi", "--max-new-tokens", "2",
                        "--temperature", "-1"},
                new String[] {"train", "--corpus", work.resolve("none.txt").toString(), "--steps", "1", "--out",
                        work.resolve("x").toString()},
                new String[] {"train", "--corpus", "assets/corpus/chinese.txt", "--vocab-size", "100", "--steps", "1",
                        "--out", work.resolve("zh").toString()},
                new String[] {"forward", "--model", DEFAULT_MODEL.toString()},
                new String[] {"no-such-command"});
        for (String[] args : cases) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " → " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    private static final Path TRANSLATION_MODEL = Path.of("assets", "model-en-zh");

    @Test
    void trainOnSentencePairsMakesATranslationModelFolder() throws IOException {
        Path pairs = Path.of("src", "test", "resources", "corpus", "tiny-en-zh.tsv");
        Path out = work.resolve("translation");
        Result r = run("train", "--corpus", pairs.toString(), "--test", pairs.toString(), "--steps", "60",
                "--batch-size", "2", "--lr", "1e-2", "--encoder-layers", "1", "--report-every", "30", "--json", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = r.jsonLines();
        assertEquals(3, lines.size());
        assertTrue(lines.get(1).get("loss").asDouble() < lines.get(0).get("loss").asDouble());
        assertEquals(4, lines.get(2).get("test_pairs").asInt());
        LoadedEncoderDecoder model = EncoderDecoderFolder.load(out);
        assertEquals(1, model.config().nEncoderLayer());
        assertTrue(model.lowercaseSource());
        Result again = run("generate", "--model", out.toString(), "--source", "she likes cats", "--max-new-tokens", "10",
                "--temperature", "0");
        assertEquals(0, again.code(), again.err());
    }

    @Test
    void generateTranslatesASourceSentence() throws IOException {
        Result greedy = run("generate", "--model", TRANSLATION_MODEL.toString(), "--source", "I have three red apples",
                "--max-new-tokens", "20", "--temperature", "0");
        assertEquals(0, greedy.code(), greedy.err());
        assertEquals("我有三个红色的苹果。", greedy.out().strip());
        Result a = run("generate", "--model", TRANSLATION_MODEL.toString(), "--source", "my mother sees two cats",
                "--max-new-tokens", "20", "--temperature", "1.5", "--seed", "7", "--json");
        Result b = run("generate", "--model", TRANSLATION_MODEL.toString(), "--source", "my mother sees two cats",
                "--max-new-tokens", "20", "--temperature", "1.5", "--seed", "7", "--json");
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
        JsonNode node = a.jsonLines().get(0);
        assertEquals(5, node.get("source_ids").size());
        assertTrue(node.get("ids").size() <= 20);
    }

    @Test
    void forwardWithASourceGivesTheDecodersRealLogits() throws IOException {
        Result r = run("forward", "--model", TRANSLATION_MODEL.toString(), "--source", "she likes cats", "--text",
                "她喜", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode node = r.jsonLines().get(0);
        LoadedEncoderDecoder model = EncoderDecoderFolder.load(TRANSLATION_MODEL);
        int[] source = model.encodeSource("she likes cats");
        int[] decoderInput = {model.startId(), model.targetTokenizer().id("她"), model.targetTokenizer().id("喜")};
        for (int t = 0; t < decoderInput.length; t++) {
            assertEquals(decoderInput[t], node.get("ids").get(t).asInt());
        }
        DMatrixRMaj logits = new EncoderDecoder(model.config(), model.parameters())
                .forward(source, decoderInput, TraceSink.NONE);                   // [3, V]
        assertEquals(3, node.get("logits").size());
        for (int t = 0; t < 3; t++) {
            for (int v = 0; v < logits.numCols; v++) {
                assertEquals(logits.get(t, v), node.get("logits").get(t).get(v).asDouble(), 1e-12);
            }
        }
        Path dump = work.resolve("translation-trace.safetensors");
        Result dumped = run("forward", "--model", TRANSLATION_MODEL.toString(), "--source", "she likes cats", "--dump",
                dump.toString());
        assertEquals(0, dumped.code(), dumped.err());
        assertTrue(dumped.out().startsWith("0\t<eos>\t→  她"), dumped.out());
        String header = new String(Files.readAllBytes(dump), StandardCharsets.UTF_8);
        for (String name : List.of("encoder.hook_embed", "encoder.blocks.1.attn.hook_pattern[0]",
                "blocks.0.cross_attn.hook_pattern[3]", "blocks.1.hook_resid_cross", "unembed.hook_out")) {
            assertTrue(header.contains("\"" + name + "\""), name);
        }
    }

    @Test
    void translationOptionsOnTheWrongModelExitWithCodeTwo() {
        List<String[]> cases = List.of(
                new String[] {"generate", "--model", DEFAULT_MODEL.toString(), "--source", "hi", "--max-new-tokens", "2"},
                new String[] {"forward", "--model", DEFAULT_MODEL.toString(), "--source", "hi"},
                new String[] {"generate", "--model", TRANSLATION_MODEL.toString(), "--prompt", "hi", "--max-new-tokens",
                        "2"},
                new String[] {"forward", "--model", TRANSLATION_MODEL.toString(), "--ids", "1"},
                new String[] {"generate", "--model", TRANSLATION_MODEL.toString(), "--source", " ", "--max-new-tokens",
                        "2"},
                new String[] {"train", "--corpus", ENGLISH.toString(), "--encoder-layers", "2", "--steps", "1", "--out",
                        work.resolve("y").toString()});
        for (String[] args : cases) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " → " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}
