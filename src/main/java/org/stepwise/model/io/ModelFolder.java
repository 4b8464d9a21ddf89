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
 * A model folder in the Hugging Face layout: {@code config.json}, {@code model.safetensors} and the tokenizer files.
 *
 * <p>A standard Hugging Face GPT-2 folder (gpt2, distilgpt2, gpt2-medium, a fine-tune) opens as it is: see
 * {@link HfConfig} for the keys of config.json and {@link ModelWeights} for the tensor names. A model saved here with
 * a GPT-2 config has exactly GPT-2's tensor names and shapes, so it opens in {@code transformers} too. Every file is
 * written atomically; a broken or missing file gives an {@link IOException} (a {@link ModelFileException} for the
 * config and the weights) that names it.
 */
public final class ModelFolder {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    /** The PyTorch pickle that older Hugging Face folders hold instead of {@link #WEIGHTS}. */
    public static final String PYTORCH_WEIGHTS = "pytorch_model.bin";
    /** The index of a checkpoint split into several safetensors files. */
    public static final String SHARDED_INDEX = "model.safetensors.index.json";
    /** Every file a model folder of ours holds. */
    public static final List<String> FILE_NAMES = List.of(CONFIG, WEIGHTS, TokenizerFiles.VOCAB_FILE, TokenizerFiles.MERGES_FILE,
            TokenizerFiles.CONFIG_FILE);

    /** A model's shape and weights, without its tokenizer. */
    public record Checkpoint(ModelConfig config, Parameters parameters) {
    }

    private ModelFolder() {
    }

    /** Opens the model in {@code dir}: config, tokenizer and weights. */
    public static LoadedModel load(Path dir) throws IOException {
        checkFolder(dir);
        Path weights = weightsFile(dir);
        ModelConfig config = HfConfig.read(configFile(dir));
        Tokenizer tokenizer = TokenizerFiles.load(dir);
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new IOException(dir + ": the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but config.json says vocab_size " + config.vocabSize());
        }
        Parameters parameters = ModelWeights.load(weights, config);
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return new LoadedModel(name == null ? dir.toString() : name.toString(), config, parameters, tokenizer);
    }

    /**
     * Opens only the config and the weights of the model in {@code dir}, not its tokenizer: for running the model on
     * token ids.
     */
    public static Checkpoint loadCheckpoint(Path dir) throws IOException {
        checkFolder(dir);
        Path weights = weightsFile(dir);
        ModelConfig config = HfConfig.read(configFile(dir));
        return new Checkpoint(config, ModelWeights.load(weights, config));
    }

    /**
     * Saves {@code model} (Not modified) into {@code dir} (created if needed), every file atomically, weights in
     * float64 under the names of {@link ModelWeights#save}.
     */
    public static void save(Path dir, LoadedModel model, Map<String, String> metadata) throws IOException {
        Files.createDirectories(dir);
        HfConfig.write(dir.resolve(CONFIG), model.config());
        TokenizerFiles.save(model.tokenizer(), dir);
        ModelWeights.save(dir.resolve(WEIGHTS), model.parameters(), true, metadata);
    }

    private static void checkFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no such folder");
        }
        if (EncoderDecoderFolder.isEncoderDecoder(dir)) {
            throw new ModelFileException(dir.resolve(CONFIG), "holds an encoder-decoder (translation) model, which"
                    + " reads a source sentence besides its tokens; open it with EncoderDecoderFolder");
        }
    }

    private static Path configFile(Path dir) throws ModelFileException {
        Path config = dir.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new ModelFileException(config, "the file is missing; a model folder needs its config.json (the"
                    + " model's sizes: vocab_size, n_positions, n_embd, n_layer, n_head)");
        }
        return config;
    }

    private static Path weightsFile(Path dir) throws ModelFileException {
        Path weights = dir.resolve(WEIGHTS);
        if (Files.isRegularFile(weights)) {
            return weights;
        }
        if (Files.isRegularFile(dir.resolve(PYTORCH_WEIGHTS))) {
            throw new ModelFileException(weights, "the file is missing; the folder has only " + PYTORCH_WEIGHTS
                    + ", a PyTorch pickle, which is not read here because loading a pickle can run code. Convert it"
                    + " once, in Python with torch and transformers installed: python -c \"from transformers import"
                    + " GPT2LMHeadModel; GPT2LMHeadModel.from_pretrained('" + dir + "').save_pretrained('" + dir
                    + "', safe_serialization=True)\"");
        }
        if (Files.isRegularFile(dir.resolve(SHARDED_INDEX))) {
            throw new ModelFileException(weights, "the file is missing; the folder holds a checkpoint split into"
                    + " several files (" + SHARDED_INDEX + "), which is not read here. Save it as one file, in Python: "
                    + "GPT2LMHeadModel.from_pretrained(folder).save_pretrained(folder, max_shard_size=\"100GB\")");
        }
        throw new ModelFileException(weights, "the file is missing; a model folder needs its weights in "
                + WEIGHTS);
    }
}
