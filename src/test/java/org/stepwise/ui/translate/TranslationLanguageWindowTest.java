package org.stepwise.ui.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.StepwiseApp;
import org.stepwise.ui.I18n;
import org.stepwise.ui.training.TrainingViewModel;

/**
 * The whole app, headless, with the bundled translation model on screen and training: switching the language from the
 * View menu keeps the translation window with its source, target, stage and head, and the training goes on.
 */
@ExtendWith(ApplicationExtension.class)
class TranslationLanguageWindowTest {

    private static final String PREFERENCES = "/org/stepwise/test/translation-language";
    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private static final ResourceBundle CHINESE = I18n.bundle(Locale.SIMPLIFIED_CHINESE);

    private StepwiseApp app;
    private BorderPane frame;

    @Start
    void start(Stage stage) throws Exception {
        Locale.setDefault(Locale.ENGLISH);
        Preferences.userRoot().node(PREFERENCES).removeNode();
        app = new StepwiseApp();
        app.usePreferences(Preferences.userRoot().node(PREFERENCES).node("recent"));
        app.useDisplayPreferences(Preferences.userRoot().node(PREFERENCES).node("display"));
        app.start(stage);
        frame = (BorderPane) ((javafx.scene.Parent) stage.getScene().getRoot()).getChildrenUnmodifiable().get(0);
    }

    @AfterEach
    void stop() throws BackingStoreException {
        app.stop();
        Preferences.userRoot().node(PREFERENCES).removeNode();
    }

    private static MenuItem menuItem(FxRobot robot, String id) {
        MenuBar bar = robot.lookup("#menu-bar").queryAs(MenuBar.class);
        for (Menu menu : bar.getMenus()) {
            for (MenuItem item : menu.getItems()) {
                if (id.equals(item.getId())) {
                    return item;
                }
                if (item instanceof Menu sub) {
                    for (MenuItem inner : sub.getItems()) {
                        if (id.equals(inner.getId())) {
                            return inner;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no menu item " + id);
    }

    @Test
    void anOpenLessonStaysBesideTheTranslationWindowAcrossALanguageSwitch(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.dashboard().viewModel().readyProperty().get());
        robot.interact(() -> app.window().lessonsToggle().setSelected(true));
        robot.interact(() -> menuItem(robot, "menu-bundled-translation").fire());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.translation().isShowing());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(lessonsBesideTranslation(), "the open lessons panel moves along with the translation window");

        robot.interact(() -> menuItem(robot, "menu-language-zh").fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(app.translation().isShowing());
        assertTrue(lessonsBesideTranslation(), "and stays beside it in the other language");
    }

    private boolean lessonsBesideTranslation() {
        javafx.scene.Node lessons = app.translation().window().root().lookup("#" + TranslationScreen.LESSONS_PANEL_ID);
        return lessons != null && lessons.isVisible();
    }

    @Test
    void switchingLanguageKeepsTheTranslationWindowItsSentencesStageHeadAndTraining(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.dashboard().viewModel().readyProperty().get());
        robot.interact(() -> menuItem(robot, "menu-bundled-translation").fire());
        TrainingViewModel training = app.dashboard().viewModel();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.translation().isShowing() && training.isTranslating());
        TranslationViewModel viewModel = app.translation().window().viewModel();
        robot.interact(() -> {
            viewModel.sourceProperty().set("i have two red apples");
            viewModel.targetProperty().set("我有");
            viewModel.stageIndexProperty().set(9);
            viewModel.headProperty().set(2);
            training.start();
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> training.lossHistoryProperty().get().trainCount() > 2);
        String stageBefore = String.valueOf(viewModel.stageProperty().get());
        TranslationWindow windowBefore = app.translation().window();
        int lossesBefore = training.lossHistoryProperty().get().trainCount();

        robot.interact(() -> menuItem(robot, "menu-language-zh").fire());
        WaitForAsyncUtils.waitForFxEvents();

        assertTrue(app.translation().isShowing(), "the translation window stays on screen");
        TranslationWindow window = app.translation().window();
        assertNotSame(windowBefore, window, "the window is rebuilt in Chinese");
        assertSame(window.root(), frame.getCenter());
        assertSame(app.dashboard(), window.root().getRight(), "the new dashboard sits beside it");
        assertSame(viewModel, window.viewModel(), "around the same view model");
        assertEquals(CHINESE.getString("encdec.translate"), robot.lookup("#translate").queryAs(Button.class).getText());
        assertEquals(CHINESE.getString("dashboard.pause"), robot.lookup("#dashboard-play").queryAs(Button.class).getText());
        String stageName = CHINESE.getString(viewModel.stageProperty().get().kind().bundleKey());
        assertTrue(robot.lookup(".stage-item").queryAllAs(Label.class).stream()
                .anyMatch(item -> item.getText().equals(stageName)), "the pipeline strip speaks Chinese");
        assertEquals("i have two red apples", robot.lookup("#source-sentence").queryTextInputControl().getText());
        assertEquals("我有", robot.lookup("#target-sentence").queryTextInputControl().getText());
        assertEquals(9, viewModel.stageIndexProperty().get());
        assertEquals(stageBefore, String.valueOf(viewModel.stageProperty().get()));
        assertEquals(2, viewModel.headProperty().get());
        assertSame(CHINESE, viewModel.contextProperty().get().messages(), "the stage panel is drawn in Chinese");

        assertTrue(training.isTranslating());
        assertFalse(app.dashboard().isTrainingOff(), "the translation model is still trained");
        assertTrue(training.isRunning(), "training goes on");
        long iterationAfter = training.snapshotProperty().get().iteration();
        assertTrue(training.lossHistoryProperty().get().trainCount() >= lossesBefore, "the loss history stays");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> training.snapshotProperty().get().iteration() > iterationAfter);

        robot.interact(() -> viewModel.sourceProperty().set("i have three red apples"));
        assertEquals("i have three red apples", robot.lookup("#source-sentence").queryTextInputControl().getText(),
                "the new window's fields follow the view model");
        robot.interact(() -> menuItem(robot, "menu-language-en").fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(app.translation().isShowing());
        assertEquals(ENGLISH.getString("encdec.translate"), robot.lookup("#translate").queryAs(Button.class).getText());
        assertEquals(9, viewModel.stageIndexProperty().get());
        assertEquals(List.of(), robot.lookup(".stage-item").queryAllAs(Label.class).stream()
                .filter(item -> item.getText().equals(stageName)).toList(), "no Chinese left in the strip");
        robot.interact(training::pause);
    }
}
