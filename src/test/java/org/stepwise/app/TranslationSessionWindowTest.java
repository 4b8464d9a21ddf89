package org.stepwise.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.train.TrainingSnapshot;
import org.stepwise.train.TranslationSession;
import org.stepwise.ui.training.TrainingViewModel;
import org.stepwise.ui.translate.TranslationViewModel;

/**
 * The whole app, headless, twice on one data directory: the translation model on screen, with its training, its
 * sentences, stage and head, comes back at the next start; one shown but not trained comes back untrained.
 */
@ExtendWith(ApplicationExtension.class)
class TranslationSessionWindowTest {

    private static final String PREFERENCES = "/org/stepwise/translation-session-window-test";

    @TempDir
    Path dataFolder;

    private final List<StepwiseApp> running = new ArrayList<>();
    private final java.util.Map<StepwiseApp, Stage> stages = new java.util.HashMap<>();

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
    }

    @AfterEach
    void stopAll(FxRobot robot) throws BackingStoreException {
        for (StepwiseApp app : running) {
            robot.interact(app::stop);
        }
        Preferences.userRoot().node(PREFERENCES).removeNode();
    }

    private StepwiseApp launch(FxRobot robot) {
        StepwiseApp app = new StepwiseApp();
        app.usePreferences(Preferences.userRoot().node(PREFERENCES));
        app.useDisplayPreferences(Preferences.userRoot().node(PREFERENCES).node("display"));
        app.useDataDirectory(new DataDirectory(dataFolder));
        robot.interact(() -> {
            try {
                Stage stage = new Stage();
                stages.put(app, stage);
                app.start(stage);
            } catch (Exception failure) {
                throw new AssertionError(failure);
            }
        });
        running.add(app);
        return app;
    }

    private void exit(FxRobot robot, StepwiseApp app) {
        robot.interact(app::stop);
        running.remove(app);
        robot.interact(() -> stages.get(app).hide());
    }

    private static void waitUntil(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static long iteration(TrainingViewModel training) {
        TrainingSnapshot snapshot = training.snapshotProperty().get();
        return snapshot == null ? 0 : snapshot.iteration();
    }

    @Test
    void theTrainedTranslationModelComesBackWithItsTrainingSentencesStageAndHead(FxRobot robot) throws Exception {
        StepwiseApp first = launch(robot);
        waitUntil(() -> first.session().restoredProperty().get());
        robot.interact(() -> first.opener().openBundledTranslation());
        TrainingViewModel training = first.dashboard().viewModel();
        waitUntil(() -> first.translation().isShowing() && training.isTranslating());
        robot.interact(() -> training.stepIteration());
        robot.interact(() -> training.stepIteration());
        robot.interact(() -> training.stepIteration());
        waitUntil(() -> iteration(training) == 3 && training.lossHistoryProperty().get().trainCount() == 3);
        TranslationViewModel view = first.translation().window().viewModel();
        robot.interact(() -> {
            view.sourceProperty().set("i have two red apples");
            view.targetProperty().set("我有");
            view.stageIndexProperty().set(11);
            view.headProperty().set(3);
        });
        org.stepwise.pipeline.Stage stage = view.stageProperty().get();
        double[] losses = training.lossHistoryProperty().get().trainLosses();
        exit(robot, first);
        SessionState kept = SessionState.read(dataFolder.resolve(DataDirectory.SESSION_FILE));
        assertNotNull(kept.translation());
        assertTrue(kept.translation().trained());
        assertNull(kept.translation().folder(), "the bundled translation model");
        assertInstanceOf(TranslationSession.class, new TrainingAutosave(dataFolder.resolve(DataDirectory.AUTOSAVE_FOLDER))
                .load());

        StepwiseApp second = launch(robot);
        waitUntil(() -> second.session().restoredProperty().get());
        TrainingViewModel resumed = second.dashboard().viewModel();
        assertTrue(second.translation().isShowing(), "the translation window is back");
        assertTrue(resumed.isTranslating(), "and its training");
        assertFalse(second.dashboard().isTrainingOff());
        waitUntil(() -> iteration(resumed) == 3);
        assertEquals(3, resumed.lossHistoryProperty().get().trainCount());
        assertEquals(losses[2], resumed.lossHistoryProperty().get().trainLosses()[2]);
        TranslationViewModel reopened = second.translation().window().viewModel();
        assertEquals("i have two red apples", reopened.sourceProperty().get());
        assertEquals("我有", reopened.targetProperty().get());
        assertEquals(stage, reopened.stageProperty().get());
        assertEquals(3, reopened.headProperty().get());
    }

    @Test
    void aTranslationModelShownButNotTrainedComesBackUntrainedBesideTheTextRun(FxRobot robot) throws Exception {
        StepwiseApp first = launch(robot);
        waitUntil(() -> first.session().restoredProperty().get());
        TrainingViewModel training = first.dashboard().viewModel();
        org.stepwise.model.io.LoadedEncoderDecoder bundled = loadBundled();
        robot.interact(() -> first.translation().show(bundled, false));
        waitUntil(() -> first.translation().isShowing());
        assertFalse(training.isTranslating());
        robot.interact(() -> first.translation().window().viewModel().sourceProperty().set("i have a cat"));
        exit(robot, first);

        StepwiseApp second = launch(robot);
        waitUntil(() -> second.session().restoredProperty().get());
        assertTrue(second.translation().isShowing());
        assertFalse(second.dashboard().viewModel().isTranslating(), "the text model is still the one trained");
        assertTrue(second.dashboard().isTrainingOff());
        assertEquals("i have a cat", second.translation().window().viewModel().sourceProperty().get());
    }

    private static org.stepwise.model.io.LoadedEncoderDecoder loadBundled() {
        try {
            return TranslationModel.load();
        } catch (java.io.IOException unreadable) {
            throw new AssertionError(unreadable);
        }
    }
}
