package org.stepwise.ui;

import java.io.File;
import java.nio.file.Path;
import java.util.ResourceBundle;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.concurrent.Task;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;

/**
 * Opens a model folder (or the bundled model) on a background thread while the model on screen stays usable:
 * shows an indeterminate progress bar with Cancel, hands the model over only when it is ready and not
 * cancelled, shows the engine's message in a dialog when the folder is broken, and keeps the recent list.
 * An encoder-decoder (translation) folder goes to the translation receiver when one is set.
 * Every method is called on the FX thread.
 */
public final class OpenModelController {

    private final ResourceBundle messages;
    private final RecentModels recent;
    private final Consumer<LoadedModel> onOpened;
    private final Supplier<Window> owner;
    private final Callable<LoadedModel> bundledModel;
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(this, "loading", false);
    private final Label progressText = new Label();
    private final HBox progressBox;
    private Function<Window, Path> folderChooser;
    private Task<?> current;
    private Callable<LoadedEncoderDecoder> bundledTranslation;
    private Consumer<LoadedEncoderDecoder> onTranslationOpened;
    private Path openedTranslationFolder;
    private Path openedFolder;
    private Alert shownFailure;

    /**
     * @param messages     the bundle of the visible strings
     * @param recent       the recent list, updated after each successful open of a folder
     * @param bundledModel loads the bundled default model (runs on the background thread)
     * @param onOpened     receives each opened model on the FX thread
     * @param owner        the window the folder chooser and dialogs belong to
     */
    public OpenModelController(ResourceBundle messages, RecentModels recent, Callable<LoadedModel> bundledModel,
            Consumer<LoadedModel> onOpened, Supplier<Window> owner) {
        this.messages = messages;
        this.recent = recent;
        this.bundledModel = bundledModel;
        this.onOpened = onOpened;
        this.owner = owner;
        this.folderChooser = this::chooseWithDialog;

        ProgressBar bar = new ProgressBar(ProgressBar.INDETERMINATE_PROGRESS);
        bar.setId("open-progress");
        bar.setPrefWidth(140);
        progressText.setId("open-progress-text");
        Button cancel = new Button(messages.getString("open.cancel"));
        cancel.setId("open-cancel");
        cancel.setOnAction(event -> cancel());
        progressBox = new HBox(8, progressText, bar, cancel);
        progressBox.setAlignment(Pos.CENTER_RIGHT);
        progressBox.visibleProperty().bind(loading.getReadOnlyProperty());
        progressBox.managedProperty().bind(loading.getReadOnlyProperty());
    }

    /** The progress bar, its caption and the Cancel button; visible only while a model loads. */
    public Node progressNode() {
        return progressBox;
    }

    /** True while a model loads. */
    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** The recent list this controller keeps. */
    public RecentModels recent() {
        return recent;
    }

    /** Replaces the folder chooser: given the owner window, it returns the chosen folder or null when none was chosen. */
    public void setFolderChooser(Function<Window, Path> chooser) {
        this.folderChooser = chooser;
    }

    /** Asks for a folder and opens it; does nothing when none is chosen. */
    public void chooseAndOpen() {
        Path folder = folderChooser.apply(owner.get());
        if (folder != null) {
            openFolder(folder);
        }
    }

    /**
     * Lets encoder-decoder (translation) folders open: {@code onOpened} receives each on the FX thread, and
     * {@code bundled} loads the bundled translation model (on the background thread).
     */
    public void setTranslationOpener(Callable<LoadedEncoderDecoder> bundled, Consumer<LoadedEncoderDecoder> onOpened) {
        this.bundledTranslation = bundled;
        this.onTranslationOpened = onOpened;
    }

    /** Starts loading {@code folder} as a decoder-only model in the background, replacing any load in progress. */
    public Task<LoadedModel> open(Path folder) {
        return start(() -> ModelFolder.load(folder), nameOf(folder), folder, onOpened);
    }

    /**
     * Starts loading {@code folder} in the background, replacing any load in progress: as a translation model
     * when it is an encoder-decoder folder and translation models can be opened, else as a decoder-only model.
     */
    public Task<?> openFolder(Path folder) {
        if (onTranslationOpened != null && EncoderDecoderFolder.isEncoderDecoder(folder)) {
            return start(() -> EncoderDecoderFolder.load(folder), nameOf(folder), folder, onTranslationOpened);
        }
        return open(folder);
    }

    private static String nameOf(Path folder) {
        return folder.getFileName() == null ? folder.toString() : folder.getFileName().toString();
    }

    /** Starts loading the bundled default model in the background, replacing any load in progress. */
    public Task<LoadedModel> openBundled() {
        return start(bundledModel, messages.getString("menu.bundled.name"), null, onOpened);
    }

    /**
     * Starts loading the bundled translation model in the background, replacing any load in progress.
     *
     * @throws IllegalStateException when no translation opener was set
     */
    public Task<LoadedEncoderDecoder> openBundledTranslation() {
        if (onTranslationOpened == null) {
            throw new IllegalStateException("this window does not open translation models");
        }
        return start(bundledTranslation, messages.getString("encdec.menu.bundled.name"), null, onTranslationOpened);
    }

    /** Stops the load in progress: nothing changes, even if the loading thread finishes afterwards. */
    public void cancel() {
        if (current != null) {
            current.cancel();
            current = null;
        }
        loading.set(false);
    }

    /**
     * The folder of the decoder-only model this controller opened last, or null when that was the bundled model,
     * a translation model or none.
     */
    public Path openedFolder() {
        return openedFolder;
    }

    /** The folder of the translation model this controller opened last, or null when that was the bundled one or none. */
    public Path openedTranslationFolder() {
        return openedTranslationFolder;
    }

    /** The dialog of the last failed load while it is open, else null. */
    public Alert shownFailure() {
        return shownFailure != null && shownFailure.isShowing() ? shownFailure : null;
    }

    private <T> Task<T> start(Callable<T> load, String name, Path folder, Consumer<T> receiver) {
        cancel();
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                return load.call();
            }
        };
        current = task;
        task.setOnSucceeded(event -> {
            if (current != task) {
                return;
            }
            current = null;
            loading.set(false);
            if (folder != null) {
                recent.add(folder);
            }
            // a translation model is not reopened with the session: only decoder-only folders are remembered
            openedFolder = folder == null || receiver != onOpened ? null : folder.toAbsolutePath().normalize();
            if (receiver == onTranslationOpened) {
                openedTranslationFolder = folder == null ? null : folder.toAbsolutePath().normalize();
            }
            receiver.accept(task.getValue());
        });
        task.setOnFailed(event -> {
            if (current != task) {
                return;
            }
            current = null;
            loading.set(false);
            showFailure(name, task.getException());
        });
        progressText.setText(I18n.format(messages, "open.progress", name));
        loading.set(true);
        Thread thread = new Thread(task, "open-model");
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    private void showFailure(String name, Throwable problem) {
        String message = problem.getMessage() != null ? problem.getMessage() : problem.toString();
        Alert alert = new Alert(Alert.AlertType.ERROR, message);
        alert.setTitle(messages.getString("open.failed.title"));
        alert.setHeaderText(I18n.format(messages, "open.failed.header", name));
        alert.getDialogPane().setId("open-failure");
        Window window = owner.get();
        if (window != null) {
            alert.initOwner(window);
        }
        shownFailure = alert;
        alert.show();
    }

    private Path chooseWithDialog(Window window) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle(messages.getString("open.chooser.title"));
        if (!recent.folders().isEmpty() && recent.folders().get(0).getParent() != null) {
            chooser.setInitialDirectory(recent.folders().get(0).getParent().toFile());
        }
        File chosen = chooser.showDialog(window);
        return chosen == null ? null : chosen.toPath();
    }
}
