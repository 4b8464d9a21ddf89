package org.stepwise.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.stepwise.files.AtomicFiles;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;

/**
 * The model Stepwise opens on: its shape and where its checkpoint lives
 * ({@code assets/model/}, also packed into the jar).
 */
public final class DefaultModel {
    private DefaultModel() {
    }

    /** GPT-2's design at a size that trains visibly in a minute: 2 layers, 4 heads, d_model 64, context 64. */
    public static final ModelConfig CONFIG = ModelConfig.gpt2Like(384, 64, 2, 4, 64);

    /** Folder of the bundled checkpoint, relative to the project root. */
    public static final Path FOLDER = Path.of("assets", "model");

    /** The bundled checkpoint: from {@code assets/model} when run from the project, else from the jar. */
    public static LoadedModel load() throws IOException {
        Path folder = Files.isDirectory(FOLDER) ? FOLDER : extractFromJar();
        return ModelFolder.load(folder).withName("stepwise-default");
    }

    private static Path extractFromJar() throws IOException {
        Path target = Files.createTempDirectory("stepwise-model");
        target.toFile().deleteOnExit();
        for (String name : ModelFolder.FILE_NAMES) {
            try (InputStream in = DefaultModel.class.getResourceAsStream("/assets/model/" + name)) {
                if (in != null) {
                    Path file = target.resolve(name);
                    AtomicFiles.write(file, in::transferTo);
                    file.toFile().deleteOnExit();
                }
            }
        }
        return target;
    }
}
