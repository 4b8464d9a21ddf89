package org.stepwise.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.tokenizer.Gpt2TestFolder;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.TokenizerFiles;

/**
 * The command line on a Hugging Face GPT-2 folder: GPT-2's real tokenizer files (rebuilt from an
 * outside implementation's table) with a small random GPT-2-shaped model of the full 50,257-token
 * vocabulary; text goes in as GPT-2 ids and the logits are the model's own.
 */
class Gpt2FolderCliTest {

    @TempDir
    static Path work;

    private static Path folder;
    private static ModelConfig config;
    private static Parameters parameters;

    @BeforeAll
    static void writeFolder() throws IOException {
        Path tokenizerDir = work.resolve("tokenizer");
        Gpt2TestFolder.write(tokenizerDir);
        Tokenizer tokenizer = TokenizerFiles.load(tokenizerDir);
        config = ModelConfig.gpt2Like(Gpt2TestFolder.GPT2_VOCAB_SIZE, 32, 1, 2, 8);
        parameters = ParameterLayout.of(config).initialize(3);
        for (String name : parameters.names()) {             // larger than at initialisation: peaked logits
            DMatrixRMaj matrix = parameters.get(name);
            for (int i = 0; i < matrix.getNumElements(); i++) {
                matrix.data[i] *= 30;
            }
        }
        folder = work.resolve("gpt2-tiny");
        ModelFolder.save(folder, new LoadedModel("gpt2-tiny", config, parameters, tokenizer), Map.of());
    }

    @Test
    void forwardReadsTextAsGpt2IdsAndPrintsTheModelsLogits() throws IOException {
        JsonNode node = run("forward", "--model", folder.toString(), "--text", "Hello world", "--json");
        assertEquals(15496, node.get("ids").get(0).asInt());
        assertEquals(995, node.get("ids").get(1).asInt());
        DMatrixRMaj logits = new Transformer(config, parameters).forward(new int[] {15496, 995}, TraceSink.NONE);
        assertEquals(2, node.get("logits").size());
        for (int t = 0; t < 2; t++) {
            for (int v = 0; v < logits.numCols; v += 997) {
                assertEquals(logits.get(t, v), node.get("logits").get(t).get(v).asDouble(), 0.0);
            }
        }
    }

    @Test
    void generateAtTemperatureZeroIsGreedyOnTheGpt2Vocabulary() throws IOException {
        JsonNode node = run("generate", "--model", folder.toString(), "--prompt", "The cat", "--max-new-tokens", "4",
                "--temperature", "0", "--json");
        int[] ids = new int[node.get("ids").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = node.get("ids").get(i).asInt();
        }
        int[] prompt = {464, 3797};                            // "The", " cat"
        int[] expected = GenerateGreedyTest.greedy(new Transformer(config, parameters), prompt, 4,
                Gpt2TestFolder.END_OF_TEXT_ID);
        assertArrayEquals(expected, ids);
    }

    private static JsonNode run(String... args) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), args);
        assertEquals(0, code, err.toString());
        return new ObjectMapper().readTree(out.toString().strip().split("\n")[0]);
    }
}
