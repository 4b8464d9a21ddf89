package org.stepwise.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.stepwise.files.AtomicFiles;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.ModelFolder;

/**
 * The bundled English→Chinese translation model (an encoder-decoder): where its checkpoint lives
 * ({@code assets/model-en-zh/}, also packed into the jar) and how to open it.
 */
public final class TranslationModel {
    private TranslationModel() {
    }

    /** Folder of the bundled checkpoint, relative to the project root. */
    public static final Path FOLDER = Path.of("assets", "model-en-zh");

    /** The files of the checkpoint, relative to its folder. */
    private static final List<String> FILES = List.of(ModelFolder.CONFIG, ModelFolder.WEIGHTS,
            EncoderDecoderFolder.SOURCE_TOKENIZER + "/tokenizer_config.json",
            EncoderDecoderFolder.SOURCE_TOKENIZER + "/vocab.json",
            EncoderDecoderFolder.TARGET_TOKENIZER + "/tokenizer_config.json",
            EncoderDecoderFolder.TARGET_TOKENIZER + "/vocab.json");

    /** The bundled checkpoint: from {@code assets/model-en-zh} when run from the project, else from the jar. */
    public static LoadedEncoderDecoder load() throws IOException {
        Path folder = Files.isDirectory(FOLDER) ? FOLDER : extractFromJar();
        return EncoderDecoderFolder.load(folder).withName("stepwise-en-zh");
    }

    private static Path extractFromJar() throws IOException {
        Path target = Files.createTempDirectory("stepwise-en-zh");
        target.toFile().deleteOnExit();
        for (String name : FILES) {
            try (InputStream in = TranslationModel.class.getResourceAsStream("/assets/model-en-zh/" + name)) {
                if (in == null) {
                    throw new IOException("the application lacks its bundled translation model file " + name);
                }
                Path file = target.resolve(name);
                Files.createDirectories(file.getParent());
                file.getParent().toFile().deleteOnExit();
                AtomicFiles.write(file, in::transferTo);
                file.toFile().deleteOnExit();
            }
        }
        return target;
    }
}
