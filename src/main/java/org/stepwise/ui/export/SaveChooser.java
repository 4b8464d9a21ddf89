package org.stepwise.ui.export;

import java.nio.file.Path;

import javafx.stage.Window;

/**
 * Asks where to save an exported file. The window uses a native save dialog ({@link DialogSaveChooser}); a test
 * puts a chooser in its place that answers with a path of its own.
 */
@FunctionalInterface
public interface SaveChooser {

    /**
     * The file chosen to save to, or null when the user chose none.
     *
     * @param owner         the window the dialog belongs to (may be null)
     * @param title         the dialog's title
     * @param suggestedName the file name offered, with its extension
     * @param kind          the kind of file, e.g. "PNG image", shown beside the extension
     * @param extension     the extension without its dot, e.g. {@code png}
     */
    Path choose(Window owner, String title, String suggestedName, String kind, String extension);
}
