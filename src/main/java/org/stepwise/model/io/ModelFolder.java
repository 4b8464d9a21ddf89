package org.stepwise.model.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.TokenizerFiles;

/**
 * A model folder in the Hugging Face layout: {@code config.json}, {@code model.safetensors} and the
 * tokenizer files. Every file is written atomically; a broken file gives an {@link IOException} that
 * names it.
 */
public final class ModelFolder {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    /** Every file a model folder of ours holds. */
    public static final List<String> FILE_NAMES = List.of(CONFIG, WEIGHTS, TokenizerFiles.VOCAB_FILE, TokenizerFiles.MERGES_FILE,
            TokenizerFiles.CONFIG_FILE);

    private ModelFolder() {
    }

    /** Opens the model in {@code dir}. */
    public static LoadedModel load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no such folder");
        }
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
                throw new IOException(dir + " has only pytorch_model.bin; convert it to model.safetensors first (in Python: "
                        + "load it with transformers and call save_pretrained(folder, safe_serialization=True))");
            }
            throw new IOException(dir + ": " + WEIGHTS + " is missing");
        }
        ModelConfig config = HfConfig.read(dir.resolve(CONFIG));
        Tokenizer tokenizer = TokenizerFiles.load(dir);
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new IOException(dir + ": the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but config.json says vocab_size " + config.vocabSize());
        }
        Parameters parameters = ModelWeights.load(weights, config);
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return new LoadedModel(name == null ? dir.toString() : name.toString(), config, parameters, tokenizer);
    }

    /** Saves {@code model} into {@code dir} (created if needed), every file atomically, weights in float64. */
    public static void save(Path dir, LoadedModel model, Map<String, String> metadata) throws IOException {
        Files.createDirectories(dir);
        HfConfig.write(dir.resolve(CONFIG), model.config());
        TokenizerFiles.save(model.tokenizer(), dir);
        ModelWeights.save(dir.resolve(WEIGHTS), model.parameters(), true, metadata);
    }
}
