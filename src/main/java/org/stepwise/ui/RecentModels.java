package org.stepwise.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The model folders opened most recently, newest first: at most {@link #LIMIT}, kept in memory and in a
 * {@link Preferences} node so they survive a restart; folders that no longer exist are dropped.
 */
public final class RecentModels {
    /** How many folders the list keeps. */
    public static final int LIMIT = 8;
    private static final String KEY = "recent.";

    private final Preferences store;
    private final ObservableList<Path> folders = FXCollections.observableArrayList();

    /** The list stored in {@code store} (not modified here), with missing folders left out. */
    public RecentModels(Preferences store) {
        this.store = store;
        List<Path> read = new ArrayList<>();
        for (int index = 0; index < LIMIT; index++) {
            String value = store.get(KEY + index, null);
            if (value != null) {
                read.add(Path.of(value));
            }
        }
        folders.setAll(existing(read));
    }

    /** The folders, newest first; drops any that has disappeared since it was added. */
    public ObservableList<Path> folders() {
        List<Path> still = existing(folders);
        if (still.size() != folders.size()) {
            folders.setAll(still);
            write();
        }
        return folders;
    }

    /** Puts {@code folder} first (moving it up if it is already listed) and stores the list. */
    public void add(Path folder) {
        Path normal = folder.toAbsolutePath().normalize();
        List<Path> next = new ArrayList<>();
        next.add(normal);
        for (Path known : existing(folders)) {
            if (!known.equals(normal) && next.size() < LIMIT) {
                next.add(known);
            }
        }
        folders.setAll(next);
        write();
    }

    private static List<Path> existing(List<Path> candidates) {
        List<Path> kept = new ArrayList<>();
        for (Path candidate : candidates) {
            if (Files.isDirectory(candidate) && !kept.contains(candidate)) {
                kept.add(candidate);
            }
        }
        return kept;
    }

    private void write() {
        for (int index = 0; index < LIMIT; index++) {
            if (index < folders.size()) {
                store.put(KEY + index, folders.get(index).toString());
            } else {
                store.remove(KEY + index);
            }
        }
        try {
            store.flush();
        } catch (BackingStoreException unsaved) {
            // The list still works for this run; it is only not remembered after a restart.
        }
    }
}
