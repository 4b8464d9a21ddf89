package org.stepwise.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.stepwise.files.AtomicFiles;
import org.stepwise.model.io.ModelFileException;
import org.stepwise.train.SavedTraining;
import org.stepwise.train.TrainingSessionFiles;
import org.stepwise.train.TranslationSessionFiles;

/**
 * The autosaved training in a folder of the data directory, replaced all-or-nothing: each save writes a whole
 * new session folder ({@link TrainingSessionFiles} for a text model, {@link TranslationSessionFiles} for a
 * translation model) beside the last one, then points {@value #POINTER} at it in one
 * atomic write, and only then deletes the older folders. A run stopped at any moment leaves {@value #POINTER}
 * naming a complete session: the old one until the new one is whole, the new one after.
 */
public final class TrainingAutosave {

    /** The file naming the folder of the newest complete save. */
    public static final String POINTER = "current.json";
    private static final String PREFIX = "training-";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path folder;

    /** The autosave kept in {@code folder} (created by the first save). */
    public TrainingAutosave(Path folder) {
        if (folder == null) {
            throw new IllegalArgumentException("an autosave needs a folder");
        }
        this.folder = folder.toAbsolutePath().normalize();
    }

    public Path folder() {
        return folder;
    }

    /**
     * Saves {@code session} (Not modified) as the newest autosave; the previous one stays readable until this one
     * is complete. One save at a time: concurrent calls wait for each other.
     *
     * @return the folder the session was written into
     */
    public synchronized Path save(SavedTraining session) throws IOException {
        Files.createDirectories(folder);
        String name = PREFIX + session.state().iteration() + "-" + System.currentTimeMillis();
        Path target = folder.resolve(name);
        for (int attempt = 1; Files.exists(target); attempt++) {
            target = folder.resolve(name + "-" + attempt);
        }
        session.save(target);
        ObjectNode pointer = JSON.createObjectNode();
        pointer.put("folder", target.getFileName().toString());
        pointer.put("iteration", session.state().iteration());
        pointer.put("name", session.name());
        AtomicFiles.writeBytes(folder.resolve(POINTER),
                (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(pointer) + "\n").getBytes(StandardCharsets.UTF_8));
        deleteAllBut(target);
        return target;
    }

    /** The folder of the newest complete save, or null when there is none. */
    public Path current() throws IOException {
        Path pointerFile = folder.resolve(POINTER);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(pointerFile);
        } catch (NoSuchFileException none) {
            return null;
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException broken) {
            throw new ModelFileException(pointerFile, "is not valid JSON: " + broken.getOriginalMessage(), broken);
        }
        String name = root == null ? null : root.path("folder").asText(null);
        if (name == null || name.isEmpty() || !name.startsWith(PREFIX) || name.contains("/") || name.contains("\\")) {
            throw new ModelFileException(pointerFile, "does not name an autosaved training folder");
        }
        Path current = folder.resolve(name);
        return Files.isDirectory(current) ? current : null;
    }

    /** True when there is a complete autosave to restore. */
    public boolean exists() {
        try {
            return current() != null;
        } catch (IOException unreadable) {
            return false;
        }
    }

    /** Opens the newest complete save, under the name it was saved with. */
    public SavedTraining load() throws IOException {
        Path current = current();
        if (current == null) {
            throw new NoSuchFileException(folder.resolve(POINTER).toString(), null, "no autosaved training");
        }
        SavedTraining opened = SavedTraining.open(current);
        String name = JSON.readTree(Files.readAllBytes(folder.resolve(POINTER))).path("name").asText("");
        if (name.isEmpty()) {
            return opened;
        }
        return opened.withName(name);
    }

    /** Deletes the saves other than {@code kept}, and what a stopped save left half-written. */
    private void deleteAllBut(Path kept) throws IOException {
        List<Path> others;
        try (Stream<Path> entries = Files.list(folder)) {
            others = entries.filter(entry -> Files.isDirectory(entry) && !entry.equals(kept)
                    && entry.getFileName().toString().startsWith(PREFIX)).toList();
        }
        for (Path other : others) {
            try (Stream<Path> paths = Files.walk(other)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
