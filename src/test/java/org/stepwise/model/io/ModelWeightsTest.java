package org.stepwise.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ModelConfig.Activation;
import org.stepwise.model.ModelConfig.Norm;
import org.stepwise.model.ModelConfig.Positional;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.Safetensors.DType;
import org.stepwise.model.io.Safetensors.Tensor;

/** Weights to model.safetensors and back, Hugging Face naming conventions, and a clear message for a file that does not fit the config. */
class ModelWeightsTest {

    @TempDir
    Path directory;

    private static final ModelConfig SMALL = ModelConfig.gpt2Like(20, 8, 2, 2, 8);

    static Stream<ModelConfig> configs() {
        return Stream.of(
                SMALL,
                SMALL.withExperts(3, 2).withVariants(Activation.RELU, Positional.ROPE, Norm.POST_LN, false, false)
                        .withAttention(2, 1),
                SMALL.withVariants(Activation.GELU_ERF, Positional.SINUSOIDAL, Norm.PRE_LN, false, true));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void float64SaveThenLoadGivesTheSameParameters(ModelConfig config) throws IOException {
        Parameters saved = ParameterLayout.of(config).initialize(42);
        Path file = directory.resolve(ModelWeights.FILE_NAME);
        ModelWeights.save(file, saved, true, Map.of("step", "300"));

        Parameters loaded = ModelWeights.load(file, config);
        ParameterLayout.of(config).check(loaded);
        assertEquals(saved.names(), loaded.names());
        for (String name : saved.names()) {
            assertEquals(saved.isVector(name), loaded.isVector(name), name);
            assertArrayEquals(saved.get(name).data, loaded.get(name).data, 0.0, name);
        }
        Map<String, String> metadata = Safetensors.read(file).metadata();
        assertEquals(Map.of("format", "pt", "step", "300"), metadata);
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            assertArrayEquals(new int[] {8}, reader.tensors().get("h.0.ln_1.weight").shape());
            assertArrayEquals(new int[] {8, config.qkvDim()}, reader.tensors().get("h.0.attn.c_attn.weight").shape());
        }
    }

    @Test
    void float32SaveGivesFloatRoundedValuesInHalfTheSpace() throws IOException {
        Parameters saved = ParameterLayout.of(SMALL).initialize(7);
        Path file64 = directory.resolve("model64.safetensors");
        Path file32 = directory.resolve("model32.safetensors");
        ModelWeights.save(file64, saved, true, null);
        ModelWeights.save(file32, saved, false, null);

        Parameters loaded = ModelWeights.load(file32, SMALL);
        int changed = 0;
        for (String name : saved.names()) {
            double[] original = saved.get(name).data;
            double[] read = loaded.get(name).data;
            for (int i = 0; i < original.length; i++) {
                assertEquals((double) (float) original[i], read[i], 0.0, name + "[" + i + "]");
                changed += original[i] != read[i] ? 1 : 0;
            }
        }
        assertTrue(changed > 0, "random doubles do not all survive rounding to float");
        long dataBytes64 = Files.size(file64) - bytesBeforeData(file64);
        long dataBytes32 = Files.size(file32) - bytesBeforeData(file32);
        assertEquals(8 * saved.count(), dataBytes64);
        assertEquals(4 * saved.count(), dataBytes32);
    }

    @Test
    void callerMayOverrideTheFormatEntry() throws IOException {
        Path file = directory.resolve("model.safetensors");
        ModelWeights.save(file, ParameterLayout.of(SMALL).initialize(1), false, Map.of("format", "np"));
        assertEquals(Map.of("format", "np"), Safetensors.read(file).metadata());
    }

    @Test
    void loadsAHuggingFaceStyleFileWithPrefixBuffersAndATiedOutputCopy() throws IOException {
        Parameters expected = ParameterLayout.of(SMALL).initialize(3);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(expected.names());
        Collections.reverse(names);    // order in the file does not matter
        for (String name : names) {
            tensors.put(ModelWeights.HF_PREFIX + name, asTensor(expected, name));
        }
        int T = SMALL.contextLength();
        double[] causalMask = new double[T * T];
        for (int row = 0; row < T; row++) {
            for (int col = 0; col <= row; col++) {
                causalMask[row * T + col] = 1.0;
            }
        }
        for (int l = 0; l < SMALL.nLayer(); l++) {
            tensors.put("transformer.h." + l + ".attn.bias", new Tensor(new int[] {1, 1, T, T}, causalMask));
            tensors.put("transformer.h." + l + ".attn.masked_bias", new Tensor(new int[] {}, new double[] {-1e4}));
        }
        tensors.put("lm_head.weight", asTensor(expected, ParameterLayout.TOKEN_EMBEDDING));
        Path file = directory.resolve("hf.safetensors");
        Safetensors.write(file, tensors, DType.F32, Map.of("format", "pt"));

        Parameters loaded = ModelWeights.load(file, SMALL);
        assertEquals(expected.names(), loaded.names());
        for (String name : expected.names()) {
            double[] original = expected.get(name).data;
            double[] read = loaded.get(name).data;
            for (int i = 0; i < original.length; i++) {
                assertEquals((double) (float) original[i], read[i], 0.0, name + "[" + i + "]");
            }
        }
    }

    @Test
    void loadsABfloat16CheckpointExactly() throws IOException {
        ParameterLayout layout = ParameterLayout.of(SMALL);
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Map<String, double[]> expected = new LinkedHashMap<>();
        int index = 0;
        for (ParameterLayout.Spec spec : layout.specs()) {
            int count = spec.rows() * spec.cols();
            double[] values = new double[count];
            int[] bits = new int[count];
            for (int i = 0; i < count; i++, index++) {
                values[i] = (index % 17 - 8) / 4.0;     // exactly representable in bfloat16
                bits[i] = Float.floatToIntBits((float) values[i]) >>> 16;
            }
            expected.put(spec.name(), values);
            String shape = spec.vector() ? "[" + spec.cols() + "]" : "[" + spec.rows() + "," + spec.cols() + "]";
            header.append(",\"").append(spec.name()).append("\":{\"dtype\":\"BF16\",\"shape\":").append(shape)
                    .append(",\"data_offsets\":[").append(data.size()).append(",").append(data.size() + 2 * count).append("]}");
            data.writeBytes(RawSafetensors.shorts(bits));
        }
        header.append("}");
        Path file = directory.resolve("bf16.safetensors");
        Files.write(file, RawSafetensors.file(header.toString(), data.toByteArray()));

        Parameters loaded = ModelWeights.load(file, SMALL);
        for (Map.Entry<String, double[]> entry : expected.entrySet()) {
            assertArrayEquals(entry.getValue(), loaded.get(entry.getKey()).data, 0.0, entry.getKey());
        }
    }

    @Test
    void aMissingParameterIsNamedWithItsShape() throws IOException {
        Path file = writeEdited(SMALL, tensors -> tensors.remove("h.1.mlp.c_fc.bias"));
        String message = assertThrows(ModelFileException.class, () -> ModelWeights.load(file, SMALL)).getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains("lacks 1 tensor the model needs: h.1.mlp.c_fc.bias [32]"), message);
    }

    @Test
    void anUntiedConfigNeedsTheOutputLayer() throws IOException {
        ModelConfig untied = SMALL.withVariants(Activation.GELU_TANH, Positional.LEARNED, Norm.PRE_LN, false, true);
        Path file = directory.resolve("tied.safetensors");
        ModelWeights.save(file, ParameterLayout.of(SMALL).initialize(5), true, null);
        String message = assertThrows(ModelFileException.class, () -> ModelWeights.load(file, untied)).getMessage();
        assertTrue(message.contains("lm_head.weight [20, 8]"), message);
    }

    @Test
    void aVectorStoredAsAMatrixIsRefused() throws IOException {
        Path file = writeEdited(SMALL, tensors -> tensors.put("h.0.ln_1.weight",
                new Tensor(new int[] {1, 8}, tensors.get("h.0.ln_1.weight").values())));
        String message = assertThrows(ModelFileException.class, () -> ModelWeights.load(file, SMALL)).getMessage();
        assertTrue(message.contains("tensor \"h.0.ln_1.weight\" has shape [1, 8], but the model needs [8]"), message);
    }

    @Test
    void aTransposedMatrixIsRefused() throws IOException {
        Path file = writeEdited(SMALL, tensors -> tensors.put("h.1.attn.c_attn.weight",
                new Tensor(new int[] {24, 8}, tensors.get("h.1.attn.c_attn.weight").values())));
        String message = assertThrows(ModelFileException.class, () -> ModelWeights.load(file, SMALL)).getMessage();
        assertTrue(message.contains("\"h.1.attn.c_attn.weight\" has shape [24, 8], but the model needs [8, 24]"), message);
    }

    @Test
    void tensorsOfADeeperModelAreNotSilentlyDropped() throws IOException {
        ModelConfig oneLayer = ModelConfig.gpt2Like(20, 8, 1, 2, 8);
        Path file = directory.resolve("two-layers.safetensors");
        ModelWeights.save(file, ParameterLayout.of(SMALL).initialize(9), true, null);
        String message = assertThrows(ModelFileException.class, () -> ModelWeights.load(file, oneLayer)).getMessage();
        assertTrue(message.contains("holds 12 tensors that a model with this config does not have: h.1.ln_1.weight,"),
                message);
    }

    @Test
    void theSameParameterUnderTwoNamesIsRefused() throws IOException {
        Path file = writeEdited(SMALL, tensors -> tensors.put("transformer.wte.weight", tensors.get("wte.weight")));
        String message = assertThrows(ModelFileException.class, () -> ModelWeights.load(file, SMALL)).getMessage();
        assertTrue(message.contains("holds parameter wte.weight twice"), message);
    }

    @Test
    void aFileThatIsNotSafetensorsIsNamed() throws IOException {
        Path file = directory.resolve("config.json");
        Files.writeString(file, "{\"n_embd\": 8}");
        IOException failure = assertThrows(IOException.class, () -> ModelWeights.load(file, SMALL));
        assertTrue(failure.getMessage().startsWith(file + ": "), failure.getMessage());
    }

    private interface Edit {
        void apply(Map<String, Tensor> tensors);
    }

    /** Writes freshly initialised weights of {@code config} after {@code edit} has changed their name → tensor map. */
    private Path writeEdited(ModelConfig config, Edit edit) throws IOException {
        Parameters parameters = ParameterLayout.of(config).initialize(11);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : parameters.names()) {
            tensors.put(name, asTensor(parameters, name));
        }
        edit.apply(tensors);
        Path file = directory.resolve("edited.safetensors");
        Safetensors.write(file, tensors, DType.F64, null);
        return file;
    }

    private static Tensor asTensor(Parameters parameters, String name) {
        DMatrixRMaj matrix = parameters.get(name);
        return new Tensor(parameters.shape(name), matrix.data.clone());
    }

    /** The 8-byte length plus the header: everything in front of the data buffer. */
    private static long bytesBeforeData(Path file) throws IOException {
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            long end = 0;
            for (Safetensors.TensorInfo info : reader.tensors().values()) {
                end = Math.max(end, info.end());
            }
            return Files.size(file) - end;
        }
    }
}
