package org.stepwise.ui.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The save dialog opens where the last export went, across restarts, and forgets a folder that is gone. */
class DialogSaveChooserTest {

    private static final String NODE = "/org/stepwise/dialog-save-chooser-test";

    @TempDir
    Path folder;

    @AfterEach
    void removeNode() throws BackingStoreException {
        Preferences.userRoot().node(NODE).removeNode();
    }

    @Test
    void remembersTheFolderOfTheLastFileAcrossInstances() throws IOException {
        Preferences store = Preferences.userRoot().node(NODE);
        assertNull(new DialogSaveChooser(store).lastFolder());
        Path slides = Files.createDirectories(folder.resolve("slides"));
        new DialogSaveChooser(store).remember(slides.resolve("panel.png"));
        assertEquals(slides.toAbsolutePath(), new DialogSaveChooser(store).lastFolder());
    }

    @Test
    void forgetsAFolderThatNoLongerExists() throws IOException {
        Preferences store = Preferences.userRoot().node(NODE);
        Path gone = Files.createDirectories(folder.resolve("gone"));
        DialogSaveChooser chooser = new DialogSaveChooser(store);
        chooser.remember(gone.resolve("trace.safetensors"));
        Files.delete(gone);
        assertNull(chooser.lastFolder());
    }

    @Test
    void needsAStore() {
        assertThrows(IllegalArgumentException.class, () -> new DialogSaveChooser(null));
    }
}
