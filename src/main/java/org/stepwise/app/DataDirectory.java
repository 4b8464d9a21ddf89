package org.stepwise.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The folder where Stepwise keeps what it remembers between two runs: the last session ({@value #SESSION_FILE}),
 * the autosaved training ({@value #AUTOSAVE_FOLDER}/) and the marker of a window that is running
 * ({@value #RUNNING_MARKER}).
 *
 * <p>Its place is the system property {@value #PROPERTY} when set, else {@code %APPDATA%\Stepwise} on Windows,
 * {@code ~/Library/Application Support/Stepwise} on macOS and {@code ~/.stepwise} elsewhere.
 */
public final class DataDirectory {

    /** System property naming the folder to use instead of the platform's. */
    public static final String PROPERTY = "stepwise.dataDir";
    public static final String SESSION_FILE = "session.json";
    public static final String AUTOSAVE_FOLDER = "autosave";
    public static final String RUNNING_MARKER = "running.json";

    private final Path root;

    /** The data directory at {@code root} (created when first written). */
    public DataDirectory(Path root) {
        if (root == null) {
            throw new IllegalArgumentException("a data directory needs a folder");
        }
        this.root = root.toAbsolutePath().normalize();
    }

    /** The folder {@value #PROPERTY} names, else the platform's usual place for an application's data. */
    public static DataDirectory platformDefault() {
        String chosen = System.getProperty(PROPERTY);
        if (chosen != null && !chosen.isBlank()) {
            return new DataDirectory(Path.of(chosen));
        }
        Path home = Path.of(System.getProperty("user.home"));
        String system = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (system.startsWith("windows")) {
            String appData = System.getenv("APPDATA");
            return new DataDirectory(appData != null ? Path.of(appData, "Stepwise") : home.resolve("Stepwise"));
        }
        if (system.startsWith("mac")) {
            return new DataDirectory(home.resolve("Library").resolve("Application Support").resolve("Stepwise"));
        }
        return new DataDirectory(home.resolve(".stepwise"));
    }

    /** Creates the folder if it does not exist yet. */
    public void create() throws IOException {
        Files.createDirectories(root);
    }

    public Path root() {
        return root;
    }

    /** The last session: model, sentence, stage, selection, lesson and settings. */
    public Path sessionFile() {
        return root.resolve(SESSION_FILE);
    }

    /** The folder of the autosaved training, see {@link TrainingAutosave}. */
    public Path autosaveFolder() {
        return root.resolve(AUTOSAVE_FOLDER);
    }

    /** The marker a running window leaves, see {@link RunMarker}. */
    public Path runningMarker() {
        return root.resolve(RUNNING_MARKER);
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
