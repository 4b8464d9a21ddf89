package org.stepwise.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.tokenizer.CharTokenizer;

/** Model folders: what a saved GPT-2 folder holds, and the message each broken folder gives. */
class ModelFolderTest {

    @TempDir
    Path directory;

    private static final CharTokenizer TOKENIZER = CharTokenizer.train("abcdefghijklmnopq");   // 3 specials + 17
    private static final ModelConfig CONFIG = ModelConfig.gpt2Like(20, 8, 2, 2, 8);

    @Test
    void aSavedGpt2ModelHasExactlyTheNamesAndShapesOfHuggingFaceGpt2() throws IOException {
        Path dir = save("saved");
        List<String> expected = new ArrayList<>(List.of("wte.weight [20, 8]", "wpe.weight [8, 8]"));
        for (int i = 0; i < 2; i++) {
            String h = "h." + i + ".";
            expected.addAll(List.of(h + "ln_1.weight [8]", h + "ln_1.bias [8]", h + "attn.c_attn.weight [8, 24]",
                    h + "attn.c_attn.bias [24]", h + "attn.c_proj.weight [8, 8]", h + "attn.c_proj.bias [8]",
                    h + "ln_2.weight [8]", h + "ln_2.bias [8]", h + "mlp.c_fc.weight [8, 32]", h + "mlp.c_fc.bias [32]",
                    h + "mlp.c_proj.weight [32, 8]", h + "mlp.c_proj.bias [8]"));
        }
        expected.addAll(List.of("ln_f.weight [8]", "ln_f.bias [8]"));
        List<String> written = new ArrayList<>();
        try (Safetensors.Reader reader = Safetensors.open(dir.resolve(ModelFolder.WEIGHTS))) {
            for (Safetensors.TensorInfo info : reader.tensors().values()) {
                written.add(info.name() + " " + Arrays.toString(info.shape()));
                assertEquals(Safetensors.DType.F64, info.dtype());
            }
            assertEquals("pt", reader.metadata().get("format"), "transformers needs format pt");
        }
        assertEquals(expected, written, "GPT-2's names, Conv1D [in, out] shapes, no lm_head (tied to wte)");

        JsonNode config = new ObjectMapper().readTree(dir.resolve(ModelFolder.CONFIG).toFile());
        assertEquals("gpt2", config.get("model_type").asText());
        assertEquals(20, config.get("vocab_size").asInt());
        assertEquals(8, config.get("n_positions").asInt());
        assertEquals(8, config.get("n_embd").asInt());
        assertEquals(2, config.get("n_layer").asInt());
        assertEquals(2, config.get("n_head").asInt());
        assertEquals("gelu_new", config.get("activation_function").asText());
        assertEquals(1e-5, config.get("layer_norm_epsilon").asDouble());
        assertTrue(config.get("tie_word_embeddings").asBoolean());

        LoadedModel loaded = ModelFolder.load(dir);
        assertEquals(CONFIG, loaded.config());
        Parameters original = ParameterLayout.of(CONFIG).initialize(3);
        for (String name : original.names()) {
            assertArrayEquals(original.get(name).data, loaded.parameters().get(name).data, name);
        }
        ModelFolder.Checkpoint checkpoint = ModelFolder.loadCheckpoint(dir);
        assertEquals(CONFIG, checkpoint.config());
    }

    @Test
    void aFolderWithOnlyPytorchWeightsSaysHowToConvertThem() throws IOException {
        Path dir = save("pytorch");
        Files.delete(dir.resolve(ModelFolder.WEIGHTS));
        Files.write(dir.resolve(ModelFolder.PYTORCH_WEIGHTS), new byte[] {(byte) 0x80, 2});
        ModelFileException failure = assertThrows(ModelFileException.class, () -> ModelFolder.load(dir));
        assertEquals(dir.resolve(ModelFolder.WEIGHTS), failure.file());
        assertTrue(failure.getMessage().contains("only pytorch_model.bin"), failure.getMessage());
        assertTrue(failure.getMessage().contains("save_pretrained('" + dir + "', safe_serialization=True)"),
                failure.getMessage());
        assertThrows(ModelFileException.class, () -> ModelFolder.loadCheckpoint(dir));
    }

    @Test
    void aShardedCheckpointIsNamed() throws IOException {
        Path dir = save("sharded");
        Files.delete(dir.resolve(ModelFolder.WEIGHTS));
        Files.writeString(dir.resolve(ModelFolder.SHARDED_INDEX), "{}");
        ModelFileException failure = assertThrows(ModelFileException.class, () -> ModelFolder.loadCheckpoint(dir));
        assertTrue(failure.getMessage().contains("split into several files"), failure.getMessage());
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path dir = save("missing");
        Files.delete(dir.resolve(ModelFolder.WEIGHTS));
        ModelFileException noWeights = assertThrows(ModelFileException.class, () -> ModelFolder.loadCheckpoint(dir));
        assertEquals(dir.resolve(ModelFolder.WEIGHTS) + ": the file is missing; a model folder needs its weights in"
                + " model.safetensors", noWeights.getMessage());

        Path other = save("no-config");
        Files.delete(other.resolve(ModelFolder.CONFIG));
        ModelFileException noConfig = assertThrows(ModelFileException.class, () -> ModelFolder.load(other));
        assertEquals(other.resolve(ModelFolder.CONFIG), noConfig.file());

        IOException noFolder = assertThrows(IOException.class, () -> ModelFolder.load(directory.resolve("nowhere")));
        assertTrue(noFolder.getMessage().endsWith("nowhere: no such folder"), noFolder.getMessage());
    }

    @Test
    void aConfigWithoutARequiredKeyNamesTheFileAndTheKey() throws IOException {
        Path dir = save("config");
        Path config = dir.resolve(ModelFolder.CONFIG);
        String text = Files.readString(config).replaceAll("\"n_head\" *: *2,\\s*", "");
        Files.writeString(config, text);
        ModelFileException failure = assertThrows(ModelFileException.class, () -> ModelFolder.load(dir));
        assertEquals(config + ": the required key n_head is missing", failure.getMessage());
    }

    @Test
    void weightsThatDoNotFitTheConfigNameTheFileAndTheTensor() throws IOException {
        Path dir = save("shape");
        Path config = dir.resolve(ModelFolder.CONFIG);
        Files.writeString(config, Files.readString(config).replaceAll("\"n_inner\" *: *32", "\"n_inner\": 16"));
        ModelFileException wrongShape = assertThrows(ModelFileException.class, () -> ModelFolder.loadCheckpoint(dir));
        assertEquals(dir.resolve(ModelFolder.WEIGHTS), wrongShape.file());
        assertTrue(wrongShape.getMessage().contains("tensor \"h.0.mlp.c_fc.weight\" has shape [8, 32], but the model"
                + " needs [8, 16]"), wrongShape.getMessage());

        Files.writeString(config, Files.readString(config).replaceAll("\"n_inner\" *: *16", "\"n_inner\": 32")
                .replaceAll("\"n_layer\" *: *2", "\"n_layer\": 3"));
        ModelFileException missing = assertThrows(ModelFileException.class, () -> ModelFolder.loadCheckpoint(dir));
        assertTrue(missing.getMessage().contains("lacks 12 tensors the model needs: h.2.ln_1.weight [8]"),
                missing.getMessage());
    }

    @Test
    void aTruncatedWeightsFileIsNamed() throws IOException {
        Path dir = save("truncated");
        Path weights = dir.resolve(ModelFolder.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 100));
        ModelFileException failure = assertThrows(ModelFileException.class, () -> ModelFolder.loadCheckpoint(dir));
        assertEquals(weights, failure.file());
        assertTrue(failure.getMessage().contains("the file is truncated"), failure.getMessage());

        Files.write(weights, "{\"not\": \"safetensors\"}".getBytes(StandardCharsets.UTF_8));
        ModelFileException notSafetensors = assertThrows(ModelFileException.class,
                () -> ModelFolder.loadCheckpoint(dir));
        assertTrue(notSafetensors.getMessage().contains("goes beyond the end of the file"),
                notSafetensors.getMessage());
    }

    private Path save(String name) throws IOException {
        Path dir = directory.resolve(name);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("stepwise_content", "test");
        ModelFolder.save(dir, new LoadedModel(name, CONFIG, ParameterLayout.of(CONFIG).initialize(3), TOKENIZER),
                metadata);
        return dir;
    }
}
