package org.stepwise.ui.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.paint.Color;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.StepwiseApp;
import org.stepwise.lesson.Lesson;
import org.stepwise.ui.I18n;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.lesson.LessonPlayer;
import org.stepwise.ui.training.TrainingDashboard;
import org.stepwise.ui.training.TrainingViewModel;

/**
 * The whole app, headless: the language switch from the View menu keeps what is on screen and the training,
 * presentation mode comes and goes with F5 / Esc, the zoom keys and the themes apply, and ? opens the keyboard map.
 */
@ExtendWith(ApplicationExtension.class)
class DisplayWindowTest {

    private static final String PREFERENCES = "/org/stepwise/test/display-window";
    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private static final ResourceBundle CHINESE = I18n.bundle(Locale.SIMPLIFIED_CHINESE);

    private Stage stage;
    private StepwiseApp app;

    @Start
    void start(Stage stage) throws Exception {
        Locale.setDefault(Locale.ENGLISH);
        Preferences.userRoot().node(PREFERENCES).removeNode();
        this.stage = stage;
        app = new StepwiseApp();
        app.usePreferences(Preferences.userRoot().node(PREFERENCES).node("recent"));
        app.useDisplayPreferences(Preferences.userRoot().node(PREFERENCES).node("display"));
        app.start(stage);
    }

    @AfterEach
    void stop() throws BackingStoreException {
        app.stop();
        Preferences.userRoot().node(PREFERENCES).removeNode();
    }

    private void waitForStart() throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.viewModel().runProperty().get() != null
                && app.dashboard().viewModel().readyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private MenuItem menuItem(FxRobot robot, String id) {
        MenuBar bar = robot.lookup("#menu-bar").queryAs(MenuBar.class);
        for (Menu menu : bar.getMenus()) {
            MenuItem found = find(menu.getItems(), id);
            if (found != null) {
                return found;
            }
        }
        throw new AssertionError("no menu item " + id);
    }

    private static MenuItem find(List<MenuItem> items, String id) {
        for (MenuItem item : items) {
            if (id.equals(item.getId())) {
                return item;
            }
            if (item instanceof Menu sub) {
                MenuItem found = find(sub.getItems(), id);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String text(FxRobot robot, String selector) {
        Node node = robot.lookup(selector).query();
        return node instanceof Button button ? button.getText() : ((Label) node).getText();
    }

    @Test
    void switchingToChineseRebuildsTheStringsAndKeepsSentenceStageSelectionLessonAndTraining(FxRobot robot)
            throws Exception {
        waitForStart();
        VisualizerViewModel viewModel = app.viewModel();
        TrainingViewModel training = app.dashboard().viewModel();
        LessonPlayer player = app.lessons().player();
        Lesson english = app.lessons().entries().get(4).lesson();
        robot.interact(() -> {
            app.window().lessonsToggle().setSelected(true);
            app.window().trainingToggle().setSelected(true);    // the test window is narrow: the lessons hid it
            player.open(english);
            player.goTo(2);
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, player::stepSettled);
        robot.interact(() -> {
            viewModel.sentenceProperty().set("The cat sat on the mat");
            viewModel.stageIndexProperty().set(7);
            viewModel.headProperty().set(1);
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> viewModel.preparedProperty().get() != null
                && viewModel.preparedProperty().get().ids().length > 3 && !viewModel.busyProperty().get());
        robot.interact(() -> {
            viewModel.selectToken(3);
            training.start();
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> training.lossHistoryProperty().get().trainLosses().length > 2);
        assertEquals(ENGLISH.getString("ui.previous"), text(robot, "#previous"));
        assertEquals(ENGLISH.getString("menu.file"), robot.lookup("#menu-bar").queryAs(MenuBar.class).getMenus()
                .get(0).getText());
        robot.interact(() -> robot.lookup("#dashboard-log-scale").queryAs(javafx.scene.control.CheckBox.class)
                .setSelected(true));
        TrainingDashboard dashboardBefore = app.dashboard();
        long iterationBefore = training.snapshotProperty().get().iteration();
        int lossesBefore = training.lossHistoryProperty().get().trainLosses().length;
        String stageBefore = String.valueOf(viewModel.stageProperty().get());

        robot.interact(() -> menuItem(robot, "menu-language-zh").fire());
        WaitForAsyncUtils.waitForFxEvents();

        assertEquals(CHINESE.getString("ui.previous"), text(robot, "#previous"));
        assertEquals(CHINESE.getString("lesson.toggle"), app.window().lessonsToggle().getText());
        assertEquals(CHINESE.getString("menu.file"), robot.lookup("#menu-bar").queryAs(MenuBar.class).getMenus()
                .get(0).getText());
        assertEquals(CHINESE.getString("menu.view"), robot.lookup("#menu-bar").queryAs(MenuBar.class).getMenus()
                .stream().filter(menu -> "menu-view".equals(menu.getId())).findFirst().orElseThrow().getText());
        assertEquals(CHINESE.getString("app.title"), stage.getTitle());
        assertEquals(CHINESE.getString("dashboard.pause"), text(robot, "#dashboard-play"));
        assertEquals(CHINESE.getString("dashboard.title"), robot.lookup(".dashboard-title").queryAs(Label.class).getText());
        String stageName = CHINESE.getString(viewModel.stageProperty().get().kind().bundleKey());
        assertTrue(robot.lookup(".stage-item").queryAllAs(Label.class).stream()
                .anyMatch(item -> item.getText().equals(stageName)), "the pipeline strip speaks Chinese");
        assertSame(CHINESE, viewModel.contextProperty().get().messages(), "the stage panel is drawn in Chinese");

        assertEquals("The cat sat on the mat", viewModel.sentenceProperty().get());
        assertEquals("The cat sat on the mat", robot.lookup("#sentence").queryTextInputControl().getText());
        assertEquals(7, viewModel.stageIndexProperty().get());
        assertEquals(stageBefore, String.valueOf(viewModel.stageProperty().get()));
        assertEquals(1, viewModel.headProperty().get());
        assertEquals(3, viewModel.selectedTokenProperty().get());

        assertNotSame(dashboardBefore, app.dashboard());
        assertTrue(robot.lookup("#dashboard-log-scale").queryAs(javafx.scene.control.CheckBox.class).isSelected(),
                "the loss chart keeps its log scale");
        assertSame(training, app.dashboard().viewModel(), "the dashboard is rebuilt around the same trainer");
        assertTrue(training.isRunning(), "training goes on");
        long iterationAfter = training.snapshotProperty().get().iteration();
        assertTrue(iterationAfter >= iterationBefore);
        assertTrue(training.lossHistoryProperty().get().trainLosses().length >= lossesBefore, "the loss history stays");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> training.snapshotProperty().get().iteration() > iterationAfter);

        assertTrue(app.window().lessonsToggle().isSelected(), "the lessons stay shown");
        assertEquals("zh", player.lessonProperty().get().language());
        assertEquals(english.id(), player.lessonProperty().get().id());
        assertEquals(2, player.stepIndexProperty().get(), "the lesson stays at its step");
        assertEquals(player.lessonProperty().get().step(2).title(),
                robot.lookup("#lesson-step-title").queryAs(Label.class).getText());
        assertEquals(Locale.SIMPLIFIED_CHINESE, new DisplayPreferences(Preferences.userRoot().node(PREFERENCES)
                .node("display")).locale(Locale.ENGLISH), "the choice is remembered");

        robot.interact(() -> menuItem(robot, "menu-language-en").fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(ENGLISH.getString("ui.previous"), text(robot, "#previous"));
        assertEquals("en", player.lessonProperty().get().language());
        assertEquals(7, viewModel.stageIndexProperty().get());
        robot.interact(training::pause);
    }

    @Test
    void f5PresentsFullScreenLargerWithoutSidePanelsAndEscRestoresTheLayout(FxRobot robot) throws Exception {
        waitForStart();
        DisplayControl display = app.display();
        ZoomPane zoom = (ZoomPane) stage.getScene().getRoot();
        robot.interact(() -> {
            app.window().lessonsToggle().setSelected(true);
            app.window().trainingToggle().setSelected(true);    // the test window is narrow: the lessons hid it
        });
        BorderPane root = app.window().root();
        Node dashboard = root.getRight();
        Node left = root.getLeft();
        assertSame(app.dashboard(), dashboard);
        assertFalse(stage.isFullScreen());

        robot.push(KeyCode.F5);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(display.isPresenting());
        assertTrue(stage.isFullScreen());
        assertNull(root.getRight(), "the dashboard is hidden");
        assertFalse(app.window().lessonsToggle().isSelected(), "the lessons are hidden");
        assertNull(robot.lookup("#menu-bar").tryQuery().orElse(null), "the menu is hidden");
        assertEquals(DisplayControl.PRESENTATION_SCALE, zoom.scaleProperty().get(), 1e-9);
        assertTrue(stage.getScene().getStylesheets().contains(Theme.HIGH_CONTRAST.stylesheet()));
        assertTrue(root.getStyleClass().contains(StepwiseApp.PRESENTING_CLASS));
        double presentedButton = robot.lookup("#next").queryAs(Button.class).getWidth();
        assertTrue(presentedButton >= 76, "the step buttons are large: " + presentedButton);

        robot.push(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(display.isPresenting());
        assertFalse(stage.isFullScreen());
        assertSame(dashboard, root.getRight(), "the dashboard is back");
        assertTrue(app.window().lessonsToggle().isSelected(), "the lessons are back");
        assertNotNull(robot.lookup("#menu-bar").query());
        assertEquals(1, zoom.scaleProperty().get(), 1e-9);
        assertFalse(stage.getScene().getStylesheets().contains(Theme.HIGH_CONTRAST.stylesheet()));
        assertFalse(root.getStyleClass().contains(StepwiseApp.PRESENTING_CLASS));
        assertTrue(robot.lookup("#next").queryAs(Button.class).getWidth() < presentedButton,
                "the step buttons are large only while presenting");

        robot.push(KeyCode.F5);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(display.isPresenting());
        robot.push(KeyCode.F5);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(display.isPresenting(), "F5 leaves as well");
        assertSame(dashboard, root.getRight());
        assertSame(app.dashboard(), dashboard);
        assertTrue(app.window().lessonsToggle().isSelected());
        assertNotNull(left);
    }

    @Test
    void controlPlusMinusAndZeroScaleTheWholeWindowAndTheZoomIsRemembered(FxRobot robot) throws Exception {
        waitForStart();
        ZoomPane zoom = (ZoomPane) stage.getScene().getRoot();
        Node next = robot.lookup("#next").query();
        double widthBefore = next.localToScene(next.getBoundsInLocal()).getWidth();
        robot.press(KeyCode.CONTROL).push(KeyCode.EQUALS).push(KeyCode.EQUALS).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1.2, zoom.scaleProperty().get(), 1e-9);
        assertEquals(1.2, app.display().zoomProperty().get(), 1e-9);
        assertEquals(widthBefore * 1.2, next.localToScene(next.getBoundsInLocal()).getWidth(), 1e-3);
        Preferences node = Preferences.userRoot().node(PREFERENCES).node("display");
        assertEquals(1.2, new DisplayPreferences(node).zoom(), 1e-9);

        robot.press(KeyCode.CONTROL).push(KeyCode.MINUS).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1.1, zoom.scaleProperty().get(), 1e-9);
        robot.press(KeyCode.CONTROL).push(KeyCode.DIGIT0).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, zoom.scaleProperty().get(), 1e-9);
        assertEquals(1, new DisplayPreferences(node).zoom(), 1e-9);
    }

    @Test
    void theDarkThemeFromTheMenuAppliesItsStylesheetToWindowAndDashboardAndIsRemembered(FxRobot robot)
            throws Exception {
        waitForStart();
        Parent zoom = stage.getScene().getRoot();
        Label status = robot.lookup("#status").queryAs(Label.class);
        Label caption = robot.lookup("#dashboard-model").queryAs(Label.class);
        assertTrue(((Color) status.getTextFill()).getBrightness() < 0.5, "dark text in the light theme");

        robot.interact(() -> menuItem(robot, "menu-theme-dark").fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(stage.getScene().getStylesheets().contains(Theme.DARK.stylesheet()));
        assertTrue(zoom.getStyleClass().contains("theme-dark"));
        assertTrue(((Color) status.getTextFill()).getBrightness() > 0.7, "light text in the dark theme");
        assertTrue(((Color) caption.getTextFill()).getBrightness() > 0.7,
                "the dashboard's own stylesheet gives way to the dark theme");
        assertEquals(Theme.DARK, new DisplayPreferences(Preferences.userRoot().node(PREFERENCES).node("display"))
                .theme());

        robot.interact(() -> menuItem(robot, "menu-theme-light").fire());
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(stage.getScene().getStylesheets().contains(Theme.DARK.stylesheet()));
        assertFalse(zoom.getStyleClass().contains("theme-dark"));
        assertTrue(((Color) status.getTextFill()).getBrightness() < 0.5);
    }

    @Test
    void questionMarkAndF1OpenTheKeyboardMapListingTheWindowsKeys(FxRobot robot) throws Exception {
        waitForStart();
        robot.interact(() -> app.window().root().requestFocus());
        robot.write('?');
        WaitForAsyncUtils.waitForFxEvents();
        assertNotNull(app.keyboardMap());
        assertTrue(app.keyboardMap().isShowing());
        List<String> texts = robot.lookup("#keyboard-map .label").queryAllAs(Label.class).stream()
                .map(Label::getText).toList();
        for (String key : List.of("keys.next", "keys.block", "keys.lessons", "keys.lessonSteps", "keys.presentation",
                "keys.menu", "keys.zoom", "keys.open", "keys.map")) {
            assertTrue(texts.contains(ENGLISH.getString(key)), key + " in " + texts);
        }
        assertTrue(texts.contains("F5"));
        assertTrue(texts.contains("L"));
        robot.interact(() -> app.keyboardMap().close());
        assertFalse(app.keyboardMap().isShowing());

        robot.interact(() -> app.window().root().requestFocus());
        robot.push(KeyCode.F1);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(app.keyboardMap().isShowing());
        robot.interact(() -> app.keyboardMap().close());

        robot.interact(() -> app.window().root().requestFocus());
        robot.push(KeyCode.F10);
        robot.push(KeyCode.DOWN);
        WaitForAsyncUtils.waitForFxEvents();
        Menu file = robot.lookup("#menu-bar").queryAs(MenuBar.class).getMenus().get(0);
        assertTrue(file.isShowing(), "F10 then ↓ opens the menus, as the map says");
        robot.interact(file::hide);

        assertFalse(ENGLISH.getString("ui.defaultSentence").contains("?"));
        robot.clickOn("#sentence");
        robot.write('?');
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(app.keyboardMap().isShowing(), "in the sentence field ? is just a character");
        assertTrue(robot.lookup("#sentence").queryTextInputControl().getText().contains("?"));
    }
}
