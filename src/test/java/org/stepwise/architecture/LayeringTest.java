package org.stepwise.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The engine runs without a display: nothing below the {@code viz} layer imports JavaFX. */
class LayeringTest {

    private static final List<String> ENGINE = List.of("tensor", "tokenizer", "model", "train", "sample", "lesson", "pipeline");

    @Test
    void engineNeverImportsJavaFx() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (String layer : ENGINE) {
            Path dir = Path.of("src/main/java/org/stepwise", layer);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    if (Files.readString(file).contains("import javafx.")) {
                        offenders.add(file.toString());
                    }
                }
            }
        }
        assertTrue(offenders.isEmpty(), "JavaFX imported by the engine: " + offenders);
    }
}
