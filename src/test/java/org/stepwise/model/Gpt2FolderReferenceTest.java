package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stepwise.model.io.HfConfig;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.TokenizerFiles;

/**
 * Opens Hugging Face GPT-2 folders (config.json + model.safetensors in F32, F16 and BF16, with and without the
 * {@code transformer.} prefix and the attention-mask buffers) with {@link ModelFolder#load} and checks the forward
 * pass, every hook of the trace, against a numpy GPT-2 written independently of this code, to 1e-5 absolute. The
 * folders and the expected traces are made by src/test/resources/fixtures/make_reference_fixtures.py. The folders
 * have no tokenizer of their own; each test gives its copy a character tokenizer of the right size.
 */
class Gpt2FolderReferenceTest {

    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"f32_prefixed", "f16_gelu_erf", "bf16_relu", "f32_large_weights"})
    void forwardPassAndWholeTraceMatchTheNumpyGpt2(String folder) throws IOException {
        Path dir = copyFolder(folder);
        NumpyArchive expected = expected(folder);
        LoadedModel model = ModelFolder.load(dir);
        Trace trace = Trace.record(new Transformer(model.config(), model.parameters()), inputIds(expected));

        Set<String> expectedNames = new TreeSet<>();
        for (String name : arrayNames(folder)) {
            if (!name.equals("input_ids") && !name.startsWith("other_activation/")) {
                expectedNames.add(name);
            }
        }
        Set<String> traced = new TreeSet<>();
        double largestError = 0;
        for (HookKey key : trace.keys()) {
            traced.add(key.name());
            assertTrue(expected.has(key.name()), "the numpy GPT-2 has no " + key.name());
            largestError = Math.max(largestError, compare(expected.get(key.name()), trace.get(key), key.name()));
        }
        assertEquals(expectedNames, traced, "the trace has exactly the hooks of the numpy GPT-2");
        assertTrue(largestError < TOLERANCE, "largest difference " + largestError);
    }

    @Test
    void geluWithErfAndGeluWithTanhGiveMeasurablyDifferentLogits() throws IOException {
        Path dir = copyFolder("f32_large_weights");
        NumpyArchive expected = expected("f32_large_weights");
        int[] ids = inputIds(expected);
        ModelFolder.Checkpoint checkpoint = ModelFolder.loadCheckpoint(dir);
        assertEquals(ModelConfig.Activation.GELU_ERF, checkpoint.config().activation(), "config.json says \"gelu\"");
        ModelConfig tanhConfig = checkpoint.config().withVariants(ModelConfig.Activation.GELU_TANH,
                checkpoint.config().positional(), checkpoint.config().norm(), checkpoint.config().tiedOutput(),
                checkpoint.config().bias());

        DMatrixRMaj erfLogits = new Transformer(checkpoint.config(), checkpoint.parameters()).forward(ids, TraceSink.NONE);
        DMatrixRMaj tanhLogits = new Transformer(tanhConfig, checkpoint.parameters()).forward(ids, TraceSink.NONE);
        NumpyArchive.Array expectedErf = expected.get("unembed.hook_out");
        NumpyArchive.Array expectedTanh = expected.get("other_activation/unembed.hook_out");
        assertTrue(compare(expectedErf, erfLogits, "gelu logits") < TOLERANCE);
        assertTrue(compare(expectedTanh, tanhLogits, "gelu_new logits") < TOLERANCE);

        double gap = 0;
        for (int i = 0; i < erfLogits.getNumElements(); i++) {
            gap = Math.max(gap, Math.abs(erfLogits.data[i] - tanhLogits.data[i]));
        }
        assertTrue(gap > 50 * TOLERANCE, "the two GELUs differ by " + gap + ", far more than the tolerance");
    }

    /** Asserts every element within the tolerance (−∞ exactly); returns the largest difference. */
    private static double compare(NumpyArchive.Array expected, DMatrixRMaj actual, String what) {
        int rows = expected.shape().length == 2 ? expected.dimension(0) : 1;
        int cols = expected.shape()[expected.shape().length - 1];
        assertEquals(rows + "×" + cols, actual.numRows + "×" + actual.numCols, what + " shape");
        double largest = 0;
        for (int i = 0; i < actual.getNumElements(); i++) {
            double e = expected.values()[i];
            double a = actual.data[i];
            if (Double.isInfinite(e)) {
                assertEquals(e, a, 0.0, what + " element " + i + " (masked)");
            } else {
                assertEquals(e, a, TOLERANCE, what + " element " + i);
                largest = Math.max(largest, Math.abs(e - a));
            }
        }
        return largest;
    }

    private Path copyFolder(String folder) throws IOException {
        Path dir = directory.resolve(folder);
        Files.createDirectories(dir);
        for (String file : new String[] {"config.json", "model.safetensors"}) {
            try (InputStream in = resource(folder, file)) {
                Files.copy(in, dir.resolve(file));
            }
        }
        int vocabSize = HfConfig.read(dir.resolve("config.json")).vocabSize();
        StringBuilder corpus = new StringBuilder();
        for (int i = 0; i < vocabSize - 3; i++) {          // three specials come first
            corpus.appendCodePoint('A' + i);
        }
        TokenizerFiles.save(CharTokenizer.train(corpus.toString()), dir);
        return dir;
    }

    private NumpyArchive expected(String folder) throws IOException {
        try (InputStream in = resource(folder, "expected.npz")) {
            return NumpyArchive.read(in);
        }
    }

    private InputStream resource(String folder, String file) {
        InputStream in = getClass().getResourceAsStream("/fixtures/gpt2/" + folder + "/" + file);
        assertNotNull(in, "missing fixture " + folder + "/" + file);
        return in;
    }

    /** The names of the arrays in a fixture's expected.npz: its zip entries without ".npy". */
    private Set<String> arrayNames(String folder) throws IOException {
        Set<String> names = new TreeSet<>();
        try (ZipInputStream zip = new ZipInputStream(resource(folder, "expected.npz"))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                names.add(entry.getName().substring(0, entry.getName().length() - ".npy".length()));
            }
        }
        return names;
    }

    private static int[] inputIds(NumpyArchive expected) {
        double[] values = expected.get("input_ids").values();
        int[] ids = new int[values.length];
        for (int t = 0; t < ids.length; t++) {
            ids[t] = (int) values[t];
        }
        return ids;
    }
}
