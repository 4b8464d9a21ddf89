package org.stepwise.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CompletableFuture;

import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.value.ChangeListener;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Menu;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.ToggleGroup;
import javafx.stage.Window;

import org.stepwise.lesson.Lesson;
import org.stepwise.lesson.LessonLibrary;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.Stage;
import org.stepwise.train.SavedTraining;
import org.stepwise.ui.I18n;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.lesson.LessonPlayer;
import org.stepwise.ui.training.TrainingViewModel;
import org.stepwise.ui.translate.TranslationScreen;
import org.stepwise.ui.translate.TranslationViewModel;

/**
 * Keeps the window's session across restarts: at start it reopens the last session (training, model, sentence,
 * stage, selection, lesson) from the {@link DataDirectory}, asking first when the previous run crashed; while the
 * window runs it autosaves every few minutes; on a normal exit it saves once more. Everything runs on the FX thread
 * except the file work.
 *
 * <p>Reopening goes in order, each step after the one before has finished: the bundled model's trainer becomes
 * ready; the autosaved training is restored (at once after a normal exit, after a "yes" in a dialog after a
 * crash); the model folder of the last session is opened (unless the restored training is that model); the
 * sentence, stage, head, token and lesson step are put back; the translation window comes back when it was on
 * screen (the restored translation training brings its model along; otherwise the model is opened again), with its
 * source, target, stage and head. Then the periodic autosave starts.
 */
public final class SessionKeeper {

    /** The intervals the File menu offers, in minutes. */
    public static final List<Integer> AUTOSAVE_CHOICES = List.of(1, 3, 5, 10, 30);

    /** How long the exit save waits for the trainer's copy of its run. */
    public static final Duration EXIT_WAIT = Duration.ofSeconds(20);

    private final DataDirectory directory;
    private final ResourceBundle messages;
    private final RunMarker marker;
    private final TrainingAutosave trainingAutosave;
    private final SessionState saved;
    private final String unreadable;
    private final ReadOnlyBooleanWrapper restored = new ReadOnlyBooleanWrapper(this, "restored", false);
    private StepwiseApp app;
    private Window owner;
    private RunMarker.Previous previous = RunMarker.Previous.CLEAN;
    private Autosave autosave;
    private Alert restoreDialog;
    private Alert notice;
    private boolean trainingRestored;
    /** The translation model the session reopened and its folder (null: the bundled one), to keep them next time. */
    private LoadedEncoderDecoder reopenedTranslation;
    private Path reopenedTranslationFolder;
    /** Minutes between two autosaves, as the session file or the File menu set them. */
    private int autosaveMinutes;
    /** Set on exit: a reopening step still under way stops there. */
    private boolean closed;

    /** Reads the last session kept in {@code directory}; a broken session file is noted and ignored. */
    public SessionKeeper(DataDirectory directory, ResourceBundle messages) {
        if (directory == null || messages == null) {
            throw new IllegalArgumentException("a session keeper needs a data directory and messages");
        }
        this.directory = directory;
        this.messages = messages;
        this.marker = new RunMarker(directory.runningMarker());
        this.trainingAutosave = new TrainingAutosave(directory.autosaveFolder());
        SessionState read = null;
        String problem = null;
        try {
            read = SessionState.read(directory.sessionFile());
        } catch (IOException broken) {
            problem = broken.getMessage();
        }
        this.saved = read;
        this.unreadable = problem;
        this.autosaveMinutes = read != null ? read.autosaveMinutes() : SessionState.DEFAULT_AUTOSAVE_MINUTES;
    }

    /** The sentence of the last session, or {@code fallback} when none was kept. */
    public String sentence(String fallback) {
        return saved == null || saved.sentence() == null ? fallback : saved.sentence();
    }

    /** The last session as read at start, or null when there was none (or it was unreadable). */
    public SessionState saved() {
        return saved;
    }

    /**
     * Starts reopening the last session in {@code started} (whose window, dashboard, lessons and opener exist) and
     * then autosaving. Call once, on the FX thread, at the end of the app's start.
     */
    public void begin(StepwiseApp started, Window window) {
        this.app = started;
        this.owner = window;
        try {
            directory.create();
            previous = marker.claim();
        } catch (IOException cannotWrite) {
            System.err.println("Stepwise cannot keep its session in " + directory + ": " + cannotWrite.getMessage());
            restored.set(true);
            return;
        }
        if (previous == RunMarker.Previous.STILL_RUNNING) {
            // Another window keeps its session here: this one neither restores nor overwrites it.
            restored.set(true);
            return;
        }
        if (unreadable != null) {
            showNotice("session.unreadable.title", I18n.format(messages, "session.unreadable", unreadable));
        }
        TrainingViewModel training = app.dashboard().viewModel();
        if (training.readyProperty().get()) {
            restoreTraining();
        } else {
            training.readyProperty().addListener(new ChangeListener<>() {
                @Override
                public void changed(javafx.beans.value.ObservableValue<? extends Boolean> observable, Boolean before,
                        Boolean ready) {
                    if (ready) {
                        observable.removeListener(this);
                        restoreTraining();
                    }
                }
            });
        }
    }

    /** How the run before this one ended (known after {@link #begin}). */
    public RunMarker.Previous previousRun() {
        return previous;
    }

    /** True once the last session is back (or there was none) and the periodic autosave runs. */
    public ReadOnlyBooleanProperty restoredProperty() {
        return restored.getReadOnlyProperty();
    }

    /** The dialog offering to restore the training after a crash while it is open, else null. */
    public Alert restoreDialog() {
        return restoreDialog != null && restoreDialog.isShowing() ? restoreDialog : null;
    }

    /** The notice about a session that could not be fully reopened while it is open, else null. */
    public Alert notice() {
        return notice != null && notice.isShowing() ? notice : null;
    }

    /**
     * Puts an "Autosave every … minutes" submenu into {@code fileMenu}, before its last separator (above Quit) or at
     * its end; the choice is kept in the session file.
     */
    public void addAutosaveMenu(Menu fileMenu) {
        Menu every = new Menu(messages.getString("session.menu.autosave"));
        every.setId("menu-autosave");
        ToggleGroup choices = new ToggleGroup();
        List<Integer> offered = new ArrayList<>(AUTOSAVE_CHOICES);
        if (!offered.contains(autosaveMinutes)) {
            offered.add(autosaveMinutes);
            offered.sort(null);
        }
        for (int minutes : offered) {
            RadioMenuItem item = new RadioMenuItem(I18n.format(messages, "session.menu.autosave.minutes", minutes));
            item.setId("menu-autosave-" + minutes);
            item.setToggleGroup(choices);
            item.setSelected(minutes == autosaveMinutes);
            item.setOnAction(event -> setAutosaveMinutes(minutes));
            every.getItems().add(item);
        }
        int position = fileMenu.getItems().size();
        for (int index = fileMenu.getItems().size() - 1; index >= 0; index--) {
            if (fileMenu.getItems().get(index) instanceof SeparatorMenuItem) {
                position = index;
                break;
            }
        }
        fileMenu.getItems().add(position, every);
    }

    /** Minutes between two autosaves. */
    public int autosaveMinutes() {
        return autosaveMinutes;
    }

    /** Autosaves every {@code minutes} (≥ 1) from now on; the session file keeps the choice. */
    public void setAutosaveMinutes(int minutes) {
        if (minutes < 1) {
            throw new IllegalArgumentException("autosave needs at least 1 minute between saves, not " + minutes);
        }
        autosaveMinutes = minutes;
        if (autosave != null) {
            autosave.start(Duration.ofMinutes(minutes));
        }
    }

    /** The periodic autosave; null until the session is back. */
    public Autosave autosave() {
        return autosave;
    }

    /** The autosaved training. */
    public TrainingAutosave trainingAutosave() {
        return trainingAutosave;
    }

    /** On a normal exit (FX thread): saves the session and the training, and removes the running marker. */
    public void close() {
        closed = true;
        if (!marker.isClaimed()) {
            return;
        }
        if (autosave == null) {
            // The session was never fully back (e.g. the restore question is still open): keep what is saved.
            if (restoreDialog != null) {
                restoreDialog.close();
            }
        } else {
            autosave.saveOnExit(EXIT_WAIT);
            autosave.close();
        }
        try {
            marker.release();
        } catch (IOException cannotDelete) {
            System.err.println("Stepwise could not remove " + directory.runningMarker() + ": " + cannotDelete.getMessage());
        }
    }

    // ---------------------------------------------------------------- reopening, step by step

    /** Step 1: the autosaved training, silently after a normal exit, after asking after a crash. */
    private void restoreTraining() {
        if (closed) {
            return;
        }
        if (!trainingAutosave.exists()) {
            openModel();
            return;
        }
        Task<SavedTraining> load = new Task<>() {
            @Override
            protected SavedTraining call() throws IOException {
                return trainingAutosave.load();
            }
        };
        load.setOnSucceeded(event -> {
            if (closed) {
                return;
            }
            SavedTraining session = load.getValue();
            if (previous == RunMarker.Previous.CRASHED) {
                askToRestore(session);
            } else {
                resume(session);
                openModel();
            }
        });
        load.setOnFailed(event -> {
            Throwable problem = load.getException();
            app.dashboard().viewModel().showMessage(I18n.format(messages, "session.restore.failed",
                    problem.getMessage() != null ? problem.getMessage() : problem.toString()), true, null);
            openModel();
        });
        Thread thread = new Thread(load, "stepwise-restore");
        thread.setDaemon(true);
        thread.start();
    }

    private void askToRestore(SavedTraining session) {
        ButtonType restore = new ButtonType(messages.getString("session.restore.yes"), ButtonBar.ButtonData.YES);
        ButtonType decline = new ButtonType(messages.getString("session.restore.no"), ButtonBar.ButtonData.NO);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, I18n.format(messages, "session.restore.question",
                session.state().iteration(), session.lossHistory().trainCount()), restore, decline);
        alert.setTitle(messages.getString("session.restore.title"));
        alert.setHeaderText(messages.getString("session.restore.header"));
        alert.getDialogPane().setId("restore-training");
        alert.getDialogPane().lookupButton(restore).setId("restore-training-yes");
        alert.getDialogPane().lookupButton(decline).setId("restore-training-no");
        if (owner != null) {
            alert.initOwner(owner);
        }
        alert.setOnHidden(event -> {
            if (closed) {
                return;
            }
            if (alert.getResult() == restore) {
                resume(session);
            }
            openModel();
        });
        restoreDialog = alert;
        alert.show();
    }

    private void resume(SavedTraining session) {
        TrainingViewModel training = app.dashboard().viewModel();
        String corpus = saved != null && saved.corpusName() != null ? saved.corpusName() : session.name();
        training.pause();
        training.resume(session, corpus);
        trainingRestored = true;
        training.showMessage(I18n.format(messages, "session.restore.done", session.state().iteration()), false, null);
    }

    /**
     * Step 2: the model folder of the last session. A trainable folder model whose training was just restored is
     * already on screen (the autosave holds it, trained further); a folder that is gone leaves the bundled model
     * with a notice; a broken one too (the opener says why).
     */
    private void openModel() {
        Path folder = saved == null ? null : saved.modelFolder();
        if (folder == null || (trainingRestored && saved.trainerShown())) {
            restoreView();
            return;
        }
        if (!Files.isDirectory(folder)) {
            showNotice("session.model.gone.title", I18n.format(messages, "session.model.gone", folder.toString()));
            restoreView();
            return;
        }
        Task<LoadedModel> opening = app.opener().open(folder);
        opening.stateProperty().addListener((observable, before, state) -> {
            if (state == Worker.State.SUCCEEDED || state == Worker.State.FAILED || state == Worker.State.CANCELLED) {
                Platform.runLater(this::restoreView);   // after the opener has shown the model (or said why not)
            }
        });
    }

    /** Step 3: lesson, stage, head and token as they were; then the periodic autosave starts. */
    private void restoreView() {
        if (closed) {
            return;
        }
        if (saved != null) {
            restoreLesson();
            restoreStage();
            restoreToken();
        }
        if (saved != null && saved.translation() != null) {
            restoreTranslation(saved.translation());
        } else {
            startAutosave();
        }
    }

    /** Step 4: the periodic autosave starts; the session is back. */
    private void startAutosave() {
        if (closed) {
            return;
        }
        autosave = new Autosave(directory.sessionFile(), trainingAutosave, () -> capture(autosaveMinutes),
                this::captureTraining);
        autosave.start(Duration.ofMinutes(autosaveMinutes));
        restored.set(true);
    }

    /**
     * The translation window as it was: the model the restored training trains is already on screen; otherwise the
     * model is opened again (its folder, or the bundled one), trained when it was. Then its sentences, stage and
     * head are put back.
     */
    private void restoreTranslation(SessionState.Translation kept) {
        TranslationScreen screen = app.translation();
        if (kept.trained() && trainingRestored && app.dashboard().viewModel().isTranslating() && screen.isShowing()) {
            showTranslationView(kept);
            startAutosave();
            return;
        }
        Path folder = kept.folder();
        if (folder != null && !Files.isDirectory(folder)) {
            showNotice("session.model.gone.title", I18n.format(messages, "session.translation.gone",
                    folder.toString()));
            startAutosave();
            return;
        }
        Task<LoadedEncoderDecoder> opening = new Task<>() {
            @Override
            protected LoadedEncoderDecoder call() throws IOException {
                return folder == null ? TranslationModel.load() : EncoderDecoderFolder.load(folder);
            }
        };
        opening.setOnSucceeded(event -> {
            if (closed) {
                return;
            }
            reopenedTranslation = opening.getValue();
            reopenedTranslationFolder = folder;
            app.translation().show(reopenedTranslation, kept.trained());
            showTranslationView(kept);
            startAutosave();
        });
        opening.setOnFailed(event -> {
            Throwable problem = opening.getException();
            showNotice("session.translation.failed.title", I18n.format(messages, "session.translation.failed",
                    problem.getMessage() != null ? problem.getMessage() : problem.toString()));
            startAutosave();
        });
        Thread thread = new Thread(opening, "stepwise-restore-translation");
        thread.setDaemon(true);
        thread.start();
    }

    private void showTranslationView(SessionState.Translation kept) {
        TranslationViewModel view = app.translation().window().viewModel();
        view.sourceProperty().set(kept.source());
        view.targetProperty().set(kept.target());
        if (kept.stageKind() != null) {
            List<Stage> stages = view.stagesProperty().get();
            for (int index = 0; index < stages.size(); index++) {
                Stage stage = stages.get(index);
                if (stage.kind().name().equals(kept.stageKind()) && stage.encoder() == kept.encoder()
                        && stage.block() == kept.block()) {
                    view.stageIndexProperty().set(index);
                    break;
                }
            }
        }
        int heads = view.modelProperty().get().config().shared().nHead();
        view.headProperty().set(Math.min(kept.head(), heads - 1));
    }

    private void restoreLesson() {
        if (saved.lessonId() == null) {
            return;
        }
        LessonPlayer player = app.lessons().player();
        for (LessonLibrary.Entry entry : app.lessons().entries()) {
            Lesson lesson = entry.lesson();
            if (lesson != null && lesson.id().equals(saved.lessonId())) {
                player.open(lesson);
                if (saved.lessonStep() < lesson.steps().size()) {
                    player.goTo(saved.lessonStep());
                }
                // The step is shown as it was left; its actions already ran then, and the saved view follows.
                player.cancelPending();
                app.window().lessonsToggle().setSelected(true);
                app.translation().carryOpenLessons();
                return;
            }
        }
    }

    private void restoreStage() {
        VisualizerViewModel view = app.viewModel();
        if (saved.stageKind() == null) {
            return;
        }
        Stage.Kind kind;
        try {
            kind = Stage.Kind.valueOf(saved.stageKind());
        } catch (IllegalArgumentException unknown) {
            return;
        }
        int blocks = view.modelProperty().get().config().nLayer();
        if (kind.inBlock() != (saved.stageBlock() >= 0) || saved.stageBlock() >= blocks) {
            return;                                  // another model: its stages differ; the first stage stays
        }
        Stage target = new Stage(kind, saved.stageBlock());
        if (view.stagesProperty().get().contains(target)) {
            int heads = view.modelProperty().get().config().nHead();
            view.openStage(target, Math.min(saved.head(), heads - 1));
        }
    }

    /** The token position is chosen once the sentence has been cut into tokens by the model on screen. */
    private void restoreToken() {
        int token = saved.selectedToken();
        VisualizerViewModel view = app.viewModel();
        if (token < 0) {
            return;
        }
        if (fits(view.preparedProperty().get(), token, view)) {
            view.selectToken(token);
            return;
        }
        view.preparedProperty().addListener(new ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends PreparedSentence> observable,
                    PreparedSentence before, PreparedSentence after) {
                if (fits(after, token, view)) {
                    observable.removeListener(this);
                    view.selectToken(token);
                }
            }
        });
    }

    private static boolean fits(PreparedSentence prepared, int token, VisualizerViewModel view) {
        return prepared != null && token < prepared.ids().length
                && view.sentenceProperty().get().equals(prepared.text());
    }

    // ---------------------------------------------------------------- saving

    /** Asks the trainer for a copy of its run, under the name of its model (FX thread). */
    private CompletableFuture<SavedTraining> captureTraining() {
        String trained = app.dashboard().viewModel().trainedModelName();
        return app.dashboard().viewModel().captureSession(trained == null ? "autosave" : trained);
    }

    /** The window's state now (FX thread). */
    private SessionState capture(int autosaveMinutes) {
        VisualizerViewModel view = app.viewModel();
        LoadedModel shown = view.modelProperty().get();
        LoadedModel opened = app.openedModel();
        Path folder = opened != null && opened == shown ? app.opener().openedFolder() : null;
        boolean trainerShown = shown != null && shown == app.dashboard().modelProperty().get();
        Stage stage = view.stageProperty().get();
        LessonPlayer player = app.lessons().player();
        Lesson lesson = player.lessonProperty().get();
        String corpus = app.dashboard().viewModel().corpusNameProperty().get();
        SessionState.Translation translation = captureTranslation();
        if (translation != null) {
            // The translation window is on screen: a decoder-only folder reopened first would take the trainer over.
            folder = null;
        }
        return new SessionState(folder, trainerShown, view.sentenceProperty().get() == null ? ""
                : view.sentenceProperty().get(), stage == null ? null : stage.kind().name(),
                stage == null ? -1 : stage.block(), Math.max(0, view.headProperty().get()),
                Math.max(-1, view.selectedTokenProperty().get()), lesson == null ? null : lesson.id(),
                lesson == null ? 0 : Math.max(0, player.stepIndexProperty().get()),
                corpus == null || corpus.isEmpty() ? null : corpus, autosaveMinutes, translation);
    }

    /** The translation window's state now, or null while the visualizer is on screen (FX thread). */
    private SessionState.Translation captureTranslation() {
        TranslationScreen screen = app.translation();
        if (screen == null || !screen.isShowing()) {
            return null;
        }
        TranslationViewModel view = screen.window().viewModel();
        LoadedEncoderDecoder shown = view.modelProperty().get();
        LoadedEncoderDecoder trained = app.dashboard().viewModel().translationModelProperty().get();
        boolean isTrained = trained != null && (trained == shown || trained.name().equals(shown.name())
                && trained.config().equals(shown.config()));
        Path folder = app.opener().openedTranslationFolder();
        if (folder == null && shown == reopenedTranslation) {
            folder = reopenedTranslationFolder;
        }
        Stage stage = view.stageProperty().get();
        return new SessionState.Translation(folder, isTrained, nonNull(view.sourceProperty().get()),
                nonNull(view.targetProperty().get()), stage == null ? null : stage.kind().name(),
                stage != null && stage.encoder(), stage == null ? -1 : stage.block(),
                Math.max(0, view.headProperty().get()));
    }

    private static String nonNull(String text) {
        return text == null ? "" : text;
    }

    private void showNotice(String titleKey, String text) {
        Alert alert = new Alert(Alert.AlertType.INFORMATION, text);
        alert.setTitle(messages.getString(titleKey));
        alert.setHeaderText(messages.getString(titleKey));
        alert.getDialogPane().setId("session-notice");
        if (owner != null) {
            alert.initOwner(owner);
        }
        notice = alert;
        alert.show();
    }

    /** Autosaves now, outside the schedule; fails when the session is not back yet. */
    public CompletableFuture<Void> saveNow() {
        return autosave == null ? CompletableFuture.failedFuture(new IllegalStateException("the session is not back yet"))
                : autosave.saveNow();
    }
}
