package org.stepwise.ui.export;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.prefs.Preferences;

import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * The native save dialog, opening in the folder the last export went to (kept in a {@link Preferences} node so it
 * survives a restart) and adding the extension when the user typed a name without it.
 */
public final class DialogSaveChooser implements SaveChooser {

    /** The preference key of the last folder saved to. */
    static final String LAST_FOLDER = "last-export-folder";

    private final Preferences store;

    /** A chooser that remembers its last folder in {@code store}. */
    public DialogSaveChooser(Preferences store) {
        if (store == null) {
            throw new IllegalArgumentException("a preferences node for the last export folder is required");
        }
        this.store = store;
    }

    @Override
    public Path choose(Window owner, String title, String suggestedName, String kind, String extension) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.setInitialFileName(suggestedName);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(kind + " (*." + extension + ")", "*." + extension));
        Path last = lastFolder();
        if (last != null) {
            chooser.setInitialDirectory(last.toFile());
        }
        File chosen = chooser.showSaveDialog(owner);
        if (chosen == null) {
            return null;
        }
        Path file = chosen.toPath();
        if (!file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith("." + extension)) {
            file = file.resolveSibling(file.getFileName() + "." + extension);
        }
        remember(file);
        return file;
    }

    /** The folder the last export went to when it still exists, else null. */
    public Path lastFolder() {
        String saved = store.get(LAST_FOLDER, null);
        if (saved == null) {
            return null;
        }
        Path folder = Path.of(saved);
        return Files.isDirectory(folder) ? folder : null;
    }

    /** Remembers the folder of {@code file} for the next dialog. */
    public void remember(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null) {
            store.put(LAST_FOLDER, folder.toString());
        }
    }
}
