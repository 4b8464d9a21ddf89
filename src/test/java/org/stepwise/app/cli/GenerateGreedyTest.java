package org.stepwise.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.tokenizer.CharTokenizer;

/** {@code generate --temperature 0} is greedy decoding: each new token is the argmax of the last position's logits. */
class GenerateGreedyTest {

    @TempDir
    Path directory;

    @Test
    void temperatureZeroPicksTheLargestLogitEveryStepWhateverTheSeed() throws IOException {
        CharTokenizer tokenizer = CharTokenizer.train("abcdefghijklmnopqrstuvwxyz .");
        ModelConfig config = ModelConfig.gpt2Like(tokenizer.vocabSize(), 24, 2, 2, 16);
        Parameters parameters = ParameterLayout.of(config).initialize(5);
        for (String name : parameters.names()) {             // weights larger than at initialisation: peaked logits
            DMatrixRMaj matrix = parameters.get(name);
            for (int i = 0; i < matrix.getNumElements(); i++) {
                matrix.data[i] *= 20;
            }
        }
        Path dir = directory.resolve("model");
        ModelFolder.save(dir, new LoadedModel("greedy", config, parameters, tokenizer), Map.of());

        int[] prompt = {5, 9, 14};
        int newTokens = 12;
        int[] expected = greedy(new Transformer(config, parameters), prompt, newTokens, tokenizer.specials().eos());
        assertTrue(expected.length > prompt.length + 1, "the model generates more than one token");

        for (String seed : new String[] {"0", "1", "12345"}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Cli.run(new PrintWriter(out), new PrintWriter(err), "generate", "--model", dir.toString(),
                    "--ids", "5,9,14", "--max-new-tokens", Integer.toString(newTokens), "--temperature", "0",
                    "--top-p", "0.5", "--seed", seed, "--json");
            assertEquals(0, code, err.toString());
            JsonNode result = new ObjectMapper().readTree(out.toString().strip());
            int[] ids = new int[result.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = result.get("ids").get(i).asInt();
            }
            assertArrayEquals(expected, ids, "seed " + seed);
        }
    }

    /** Greedy decoding written out: append the argmax of the last row of the logits until eos or the limit. */
    static int[] greedy(Transformer model, int[] prompt, int newTokens, int eos) {
        int[] sequence = prompt.clone();
        for (int n = 0; n < newTokens; n++) {
            DMatrixRMaj logits = model.forward(sequence, TraceSink.NONE);     // [T, V]
            int last = logits.numRows - 1;
            int best = 0;
            for (int v = 1; v < logits.numCols; v++) {
                if (logits.get(last, v) > logits.get(last, best)) {
                    best = v;
                }
            }
            sequence = Arrays.copyOf(sequence, sequence.length + 1);
            sequence[sequence.length - 1] = best;
            if (best == eos) {
                break;
            }
        }
        return sequence;
    }
}
