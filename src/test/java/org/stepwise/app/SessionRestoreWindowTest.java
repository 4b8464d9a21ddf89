package org.stepwise.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.lesson.Lesson;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.tokenizer.Gpt2TestFolder;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.TokenizerFiles;
import org.stepwise.lesson.LessonLibrary;
import org.stepwise.train.LossHistory;
import org.stepwise.train.TrainingSession;
import org.stepwise.train.TrainingSnapshot;
import org.stepwise.ui.I18n;
import org.stepwise.ui.training.TrainingViewModel;

/**
 * The real window keeps its session across restarts, headless: an autosave writes the session and the training;
 * after a simulated crash the next start asks, in the user's language, and restoring brings back the step count and
 * the losses (declining keeps the autosave); after a normal exit the sentence, stage, head, token, lesson step and
 * training come back by themselves; a model folder that is gone leaves the bundled model with a notice.
 */
@ExtendWith(ApplicationExtension.class)
class SessionRestoreWindowTest {

    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private static final String PREFERENCES = "/org/stepwise/session-restore-window-test";

    @TempDir
    Path dataFolder;
    @TempDir
    Path modelsFolder;

    private final List<StepwiseApp> running = new ArrayList<>();

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
    }

    @AfterEach
    void stopAll(FxRobot robot) throws BackingStoreException {
        for (StepwiseApp app : running) {
            robot.interact(() -> {
                if (app.session() != null && app.session().notice() != null) {
                    app.session().notice().close();
                }
                app.stop();
            });
        }
        Preferences.userRoot().node(PREFERENCES).removeNode();
    }

    /** A new window on its own stage, keeping its session in {@link #dataFolder}. */
    private StepwiseApp launch(FxRobot robot) {
        StepwiseApp app = new StepwiseApp();
        app.usePreferences(Preferences.userRoot().node(PREFERENCES));
        app.useDataDirectory(new DataDirectory(dataFolder));
        robot.interact(() -> {
            try {
                app.start(new Stage());
            } catch (Exception failure) {
                throw new AssertionError(failure);
            }
        });
        running.add(app);
        return app;
    }

    private static void waitUntil(WaitForAsyncUtilsCondition condition) throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, condition::holds);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** A condition polled by {@link #waitUntil}. */
    @FunctionalInterface
    private interface WaitForAsyncUtilsCondition {
        boolean holds();
    }

    private static void waitRestored(StepwiseApp app) throws Exception {
        waitUntil(() -> app.session().restoredProperty().get() && app.viewModel().runProperty().get() != null);
    }

    /** Trains {@code count} iterations and waits until the dashboard shows them. */
    private static void trainIterations(FxRobot robot, StepwiseApp app, int count) throws Exception {
        TrainingViewModel training = app.dashboard().viewModel();
        long start = iteration(training);
        robot.interact(() -> {
            for (int i = 0; i < count; i++) {
                training.stepIteration();
            }
        });
        waitUntil(() -> iteration(training) == start + count && training.lossHistoryProperty().get() != null
                && training.lossHistoryProperty().get().trainCount() == start + count);
    }

    private static long iteration(TrainingViewModel training) {
        TrainingSnapshot snapshot = training.snapshotProperty().get();
        return snapshot == null ? 0 : snapshot.iteration();
    }

    /** Stops a window the way a crash would: its threads end, but it neither saves nor removes its marker. */
    private void crash(FxRobot robot, StepwiseApp app) {
        running.remove(app);
        robot.interact(() -> {
            app.session().autosave().close();
            app.dashboard().viewModel().close();
            app.viewModel().close();
            app.window().root().getScene().getWindow().hide();
        });
    }

    @Test
    void anAutosaveWritesTheFilesAndAfterACrashRestoringBringsBackTheStepsAndLosses(FxRobot robot) throws Exception {
        StepwiseApp first = launch(robot);
        waitRestored(first);
        assertEquals(RunMarker.Previous.CLEAN, first.session().previousRun());
        trainIterations(robot, first, 5);
        LossHistory losses = first.dashboard().viewModel().lossHistoryProperty().get();

        Path sessionFile = dataFolder.resolve(DataDirectory.SESSION_FILE);
        assertFalse(Files.exists(sessionFile));
        first.session().saveNow().get(60, TimeUnit.SECONDS);
        assertTrue(Files.exists(sessionFile));
        assertTrue(Files.exists(dataFolder.resolve(DataDirectory.RUNNING_MARKER)));
        TrainingSession autosaved = assertInstanceOf(TrainingSession.class, first.session().trainingAutosave().load());
        assertEquals(5, autosaved.state().iteration());
        assertEquals(losses, autosaved.lossHistory());

        crash(robot, first);
        StepwiseApp second = launch(robot);
        waitUntil(() -> second.session().restoreDialog() != null);
        assertEquals(RunMarker.Previous.CRASHED, second.session().previousRun());
        Alert dialog = second.session().restoreDialog();
        assertEquals(ENGLISH.getString("session.restore.title"), dialog.getTitle());
        assertTrue(dialog.getContentText().contains("iteration 5 (5 loss points)"), dialog.getContentText());
        assertEquals(0, iteration(second.dashboard().viewModel()), "nothing is restored before the answer");

        robot.interact(() -> ((Button) dialog.getDialogPane().lookup("#restore-training-yes")).fire());
        waitRestored(second);
        TrainingViewModel training = second.dashboard().viewModel();
        waitUntil(() -> iteration(training) == 5);
        assertEquals(losses, training.lossHistoryProperty().get());
        assertEquals(first.dashboard().modelProperty().get().name(), training.modelProperty().get().name());
        assertSame(training.modelProperty().get(), second.viewModel().modelProperty().get(),
                "the window shows the restored weights");
        // Training goes on from there.
        trainIterations(robot, second, 2);
        assertEquals(7, training.lossHistoryProperty().get().trainCount());
    }

    @Test
    void decliningAfterACrashStartsFreshAndKeepsTheAutosave(FxRobot robot) throws Exception {
        StepwiseApp first = launch(robot);
        waitRestored(first);
        trainIterations(robot, first, 3);
        first.session().saveNow().get(60, TimeUnit.SECONDS);
        crash(robot, first);

        StepwiseApp second = launch(robot);
        waitUntil(() -> second.session().restoreDialog() != null);
        Alert dialog = second.session().restoreDialog();
        robot.interact(() -> ((Button) dialog.getDialogPane().lookup("#restore-training-no")).fire());
        waitRestored(second);
        assertEquals(0, iteration(second.dashboard().viewModel()));
        assertEquals(3, second.session().trainingAutosave().load().state().iteration(), "the autosave is kept");
    }

    @Test
    void afterANormalExitTheSentenceStageSelectionLessonAndTrainingComeBack(FxRobot robot) throws Exception {
        StepwiseApp first = launch(robot);
        waitRestored(first);
        trainIterations(robot, first, 4);
        Lesson lesson = LessonLibrary.loadBundled(Locale.ENGLISH).stream().map(LessonLibrary.Entry::lesson)
                .filter(found -> found != null && found.steps().size() > 2).findFirst().orElseThrow();
        String sentence = "a cat sat on a mat";
        org.stepwise.pipeline.Stage scores = org.stepwise.pipeline.Stage.of(org.stepwise.pipeline.Stage.Kind.SCORES, 1);
        robot.interact(() -> {
            first.lessons().player().open(lesson);
            first.lessons().player().goTo(2);
            first.lessons().player().cancelPending();
            first.viewModel().sentenceProperty().set(sentence);
            first.viewModel().openStage(scores, 2);
        });
        waitUntil(() -> first.viewModel().preparedProperty().get() != null
                && sentence.equals(first.viewModel().preparedProperty().get().text()));
        robot.interact(() -> first.viewModel().selectToken(3));
        assertEquals(SessionState.DEFAULT_AUTOSAVE_MINUTES, first.session().autosaveMinutes());
        robot.interact(() -> autosaveItem(first, 5).fire());
        assertEquals(5, first.session().autosaveMinutes());
        robot.interact(first::stop);
        running.remove(first);
        robot.interact(() -> first.window().root().getScene().getWindow().hide());
        assertFalse(Files.exists(dataFolder.resolve(DataDirectory.RUNNING_MARKER)), "a normal exit removes the marker");

        StepwiseApp second = launch(robot);
        waitRestored(second);
        assertEquals(RunMarker.Previous.CLEAN, second.session().previousRun());
        assertNull(second.session().restoreDialog(), "after a normal exit nothing is asked");
        assertEquals(sentence, second.viewModel().sentenceProperty().get());
        assertEquals(scores, second.viewModel().stageProperty().get());
        assertEquals(2, second.viewModel().headProperty().get());
        waitUntil(() -> second.viewModel().selectedTokenProperty().get() == 3);
        assertEquals(lesson.id(), second.lessons().player().lessonProperty().get().id());
        assertEquals(2, second.lessons().player().stepIndexProperty().get());
        assertTrue(second.window().lessonsToggle().isSelected(), "the open lesson comes back on screen");
        TrainingViewModel training = second.dashboard().viewModel();
        waitUntil(() -> iteration(training) == 4);
        assertEquals(4, training.lossHistoryProperty().get().trainCount());
        assertEquals(5, second.session().autosaveMinutes(), "the File menu's autosave interval is kept");
        assertTrue(autosaveItem(second, 5).isSelected());
    }

    /** The File menu's "Autosave training every" item for {@code minutes}. */
    private static RadioMenuItem autosaveItem(StepwiseApp app, int minutes) {
        MenuBar bar = (MenuBar) app.window().root().getScene().lookup("#menu-bar");
        for (MenuItem item : bar.getMenus().get(0).getItems()) {
            if (item instanceof Menu menu && "menu-autosave".equals(menu.getId())) {
                for (MenuItem choice : menu.getItems()) {
                    if (("menu-autosave-" + minutes).equals(choice.getId())) {
                        return (RadioMenuItem) choice;
                    }
                }
            }
        }
        throw new AssertionError("no autosave item for " + minutes + " minutes");
    }

    /** Opens {@code folder} from the File menu's controller and waits until the window shows it. */
    private static void openFolder(FxRobot robot, StepwiseApp app, Path folder, String expectedName) throws Exception {
        robot.interact(() -> app.opener().open(folder));
        waitUntil(() -> expectedName.equals(app.viewModel().modelProperty().get().name())
                && app.viewModel().runProperty().get() != null);
    }

    @Test
    void aGpt2SizedFolderIsReopenedBesideTheTrainedBundledModel(FxRobot robot) throws Exception {
        Path tokenizerDir = modelsFolder.resolve("tokenizer");
        Gpt2TestFolder.write(tokenizerDir);
        Tokenizer gpt2 = TokenizerFiles.load(tokenizerDir);
        ModelConfig config = ModelConfig.gpt2Like(Gpt2TestFolder.GPT2_VOCAB_SIZE, 32, 1, 2, 8);
        Path folder = modelsFolder.resolve("gpt2-tiny");
        ModelFolder.save(folder, new LoadedModel("gpt2-tiny", config, ParameterLayout.of(config).initialize(5), gpt2),
                Map.of());

        StepwiseApp first = launch(robot);
        waitRestored(first);
        trainIterations(robot, first, 2);
        openFolder(robot, first, folder, "gpt2-tiny");
        assertTrue(first.dashboard().isTrainingOff());
        robot.interact(first::stop);
        running.remove(first);
        robot.interact(() -> first.window().root().getScene().getWindow().hide());
        SessionState kept = SessionState.read(dataFolder.resolve(DataDirectory.SESSION_FILE));
        assertEquals(folder.toAbsolutePath().normalize(), kept.modelFolder());
        assertFalse(kept.trainerShown());

        StepwiseApp second = launch(robot);
        waitUntil(() -> second.session().restoredProperty().get()
                && "gpt2-tiny".equals(second.viewModel().modelProperty().get().name()));
        assertEquals(Gpt2TestFolder.GPT2_VOCAB_SIZE, second.viewModel().modelProperty().get().config().vocabSize());
        assertTrue(second.dashboard().isTrainingOff(), "a GPT-2-sized model is shown with training off");
        assertEquals(DefaultModel.CONFIG, second.dashboard().modelProperty().get().config());
        waitUntil(() -> iteration(second.dashboard().viewModel()) == 2);
    }

    @Test
    void aTrainedFolderModelComesBackFromTheAutosaveWithItsTraining(FxRobot robot) throws Exception {
        Path folder = modelsFolder.resolve("small-own");
        ModelFolder.save(folder, DefaultModel.load().withName("small-own"), Map.of());

        StepwiseApp first = launch(robot);
        waitRestored(first);
        openFolder(robot, first, folder, "small-own");
        waitUntil(() -> first.dashboard().modelProperty().get() == first.viewModel().modelProperty().get());
        trainIterations(robot, first, 3);
        robot.interact(first::stop);
        running.remove(first);
        robot.interact(() -> first.window().root().getScene().getWindow().hide());

        StepwiseApp second = launch(robot);
        waitRestored(second);
        TrainingViewModel training = second.dashboard().viewModel();
        waitUntil(() -> iteration(training) == 3);
        assertEquals("small-own", second.viewModel().modelProperty().get().name());
        assertSame(training.modelProperty().get(), second.viewModel().modelProperty().get(),
                "the trained folder model is on screen, not the folder's untrained weights");
        assertFalse(second.dashboard().isTrainingOff());
    }

    @Test
    void aModelFolderThatIsGoneLeavesTheBundledModelWithANotice(FxRobot robot) throws Exception {
        Path gone = dataFolder.resolve("a-model-that-was-deleted");
        Files.createDirectories(dataFolder);
        new SessionState(gone, false, "the dog", "TOKENS", -1, 0, 1, null, 0, null, 3)
                .write(dataFolder.resolve(DataDirectory.SESSION_FILE));

        StepwiseApp app = launch(robot);
        waitRestored(app);
        Alert notice = app.session().notice();
        assertNotNull(notice);
        assertEquals(ENGLISH.getString("session.model.gone.title"), notice.getTitle());
        assertTrue(notice.getContentText().contains(gone.toString()), notice.getContentText());
        assertEquals(DefaultModel.CONFIG, app.viewModel().modelProperty().get().config());
        assertEquals("the dog", app.viewModel().sentenceProperty().get());
        assertEquals(org.stepwise.pipeline.Stage.Kind.TOKENS, app.viewModel().stageProperty().get().kind());
        waitUntil(() -> app.viewModel().selectedTokenProperty().get() == 1);
    }
}
