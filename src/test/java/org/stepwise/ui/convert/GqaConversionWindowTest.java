package org.stepwise.ui.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.StepwiseApp;
import org.stepwise.model.KvCacheSize;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.tokenizer.Gpt2TestFolder;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.TokenizerFiles;
import org.stepwise.train.GqaComparison;
import org.stepwise.train.TrainingSettings;
import org.stepwise.ui.I18n;
import org.stepwise.ui.training.Corpus;
import org.stepwise.viz.HeatmapView;

/**
 * The Model menu of the real window, headless: the bundled model converted to two key/value heads shows the
 * engine's losses and cache sizes, and the trainer takes the converted model over and trains it; a GPT-2 folder
 * converts but does not train.
 */
@ExtendWith(ApplicationExtension.class)
class GqaConversionWindowTest {

    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private static final String PREFERENCES = "/org/stepwise/gqa-conversion-window-test";

    @TempDir
    static Path work;

    private static Path gpt2Folder;
    private static Path mqaFolder;

    private StepwiseApp app;

    @BeforeAll
    static void writeGpt2Folder() throws IOException {
        Path tokenizerDir = work.resolve("tokenizer");
        Gpt2TestFolder.write(tokenizerDir);
        Tokenizer gpt2 = TokenizerFiles.load(tokenizerDir);
        ModelConfig config = ModelConfig.gpt2Like(Gpt2TestFolder.GPT2_VOCAB_SIZE, 32, 1, 2, 8);
        gpt2Folder = work.resolve("gpt2-tiny");
        ModelFolder.save(gpt2Folder, new LoadedModel("gpt2-tiny", config, ParameterLayout.of(config).initialize(5),
                gpt2), Map.of());
        LoadedModel bundled = org.stepwise.app.DefaultModel.load();
        org.stepwise.model.GqaConversion.Result mqa = org.stepwise.model.GqaConversion.convert(bundled.config(),
                bundled.parameters(), 1);
        mqaFolder = work.resolve("mqa");
        ModelFolder.save(mqaFolder, new LoadedModel("mqa", mqa.config(), mqa.parameters(), bundled.tokenizer()),
                Map.of());
    }

    @Start
    void start(Stage stage) throws Exception {
        Locale.setDefault(Locale.ENGLISH);
        Preferences node = Preferences.userRoot().node(PREFERENCES);
        node.clear();
        app = new StepwiseApp();
        app.usePreferences(node);
        app.start(stage);
    }

    @AfterEach
    void stop() throws BackingStoreException {
        app.stop();
        Preferences.userRoot().node(PREFERENCES).removeNode();
    }

    private void waitForStartModel() throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.viewModel().runProperty().get() != null
                && app.dashboard().viewModel().readyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    /**
     * Model → Convert to grouped-query attention…, clicked as a user would: open the Model menu, move straight down
     * into it, then to the item. A straight line from the Model button to the item crosses the View button on the
     * menu bar, and a menu bar with a menu open switches to the menu under the pointer, so the click would land in the
     * View menu instead.
     */
    static void openDialog(FxRobot robot) {
        robot.clickOn("#menu-model");
        robot.moveBy(0, 24);
        robot.clickOn("#menu-convert-gqa");
        WaitForAsyncUtils.waitForFxEvents();
    }

    @SuppressWarnings("unchecked")
    private static ComboBox<Integer> kvHeadChoice(FxRobot robot) {
        return robot.lookup("#gqa-kv-heads").queryAs(ComboBox.class);
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    @Test
    void theBundledModelConvertsShowsTheEnginesFiguresAndTrainsOn(FxRobot robot) throws Exception {
        waitForStartModel();
        LoadedModel shown = app.viewModel().modelProperty().get();
        Parameters weights = app.viewModel().weightsProperty().get();
        javafx.scene.control.MenuBar bar = robot.lookup("#menu-bar").queryAs(javafx.scene.control.MenuBar.class);
        assertEquals(ENGLISH.getString("menu.model.convertGqa"), bar.getMenus().stream()
                .filter(menu -> "menu-model".equals(menu.getId())).findFirst().orElseThrow().getItems().stream()
                .filter(item -> "menu-convert-gqa".equals(item.getId())).findFirst().orElseThrow().getText());
        openDialog(robot);
        ComboBox<Integer> choice = kvHeadChoice(robot);
        assertEquals(List.of(2, 1), choice.getItems());
        robot.interact(() -> choice.setValue(2));
        Button continueButton = robot.lookup("#gqa-continue").queryAs(Button.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !continueButton.isDisabled());
        WaitForAsyncUtils.waitForFxEvents();

        int[] ids = shown.tokenizer().encode(Corpus.english().text()).ids();
        TrainingSettings settings = TrainingSettings.defaults();
        double before = GqaComparison.validationLoss(shown.config(), weights, ids, settings);
        ModelConfig converted = shown.config().withAttention(4, 2);
        Parameters pooled = org.stepwise.model.GqaConversion.convert(shown.config(), weights, 2).parameters();
        double after = GqaComparison.validationLoss(converted, pooled, ids, settings);
        assertEquals(GqaConversionDialog.loss(before), text(robot, "#gqa-loss-before"));
        assertEquals(GqaConversionDialog.loss(after), text(robot, "#gqa-loss-after"));
        assertEquals("4", text(robot, "#gqa-kv-before"));
        assertEquals("2", text(robot, "#gqa-kv-after"));
        assertEquals("1024 B", text(robot, "#gqa-cache-before"));          // 2·L·G·D·4 = 2·2·4·16·4
        assertEquals("512 B", text(robot, "#gqa-cache-after"));
        assertEquals(GqaConversionDialog.bytes(KvCacheSize.of(converted, 4).bytesFor(64)),
                text(robot, "#gqa-context-cache-after"));
        assertEquals("32.0 KiB", text(robot, "#gqa-context-cache-after"));
        int tokens = app.viewModel().preparedProperty().get().ids().length;
        assertEquals(tokens, robot.lookup("#gqa-pattern-before").queryAs(HeatmapView.class).rowCount());
        assertEquals(tokens, robot.lookup("#gqa-pattern-after").queryAs(HeatmapView.class).rowCount());

        robot.clickOn("#gqa-continue");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> app.dashboard().modelProperty().get() != null
                && app.dashboard().modelProperty().get().config().nKvHead() == 2);
        LoadedModel training = app.dashboard().modelProperty().get();
        assertEquals(converted, training.config());
        assertEquals(training, app.viewModel().modelProperty().get(), "the window shows the converted model");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> iteration() >= 2);
        long seen = iteration();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> iteration() > seen);
        robot.interact(() -> app.dashboard().viewModel().pause());

        // The converted model itself can still go down to one key/value head.
        openDialog(robot);
        assertEquals(List.of(1), kvHeadChoice(robot).getItems());
        closeDialog(robot);
    }

    @Test
    void aGpt2ModelConvertsButIsNotTrained(FxRobot robot) throws Exception {
        waitForStartModel();
        robot.interact(() -> app.opener().open(gpt2Folder));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.viewModel().modelProperty().get().config()
                .vocabSize() == Gpt2TestFolder.GPT2_VOCAB_SIZE && app.viewModel().runProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        openDialog(robot);
        ComboBox<Integer> choice = kvHeadChoice(robot);
        assertEquals(List.of(1), choice.getItems());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !text(robot, "#gqa-loss-after").isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#gqa-continue").queryAs(Button.class).isDisabled());
        Label reason = robot.lookup("#gqa-training-reason").queryAs(Label.class);
        assertTrue(reason.isVisible());
        assertTrue(reason.getText().contains("Training is off for GPT-2-sized models"), reason.getText());
        assertFalse(text(robot, "#gqa-loss-before").isEmpty());
        closeDialog(robot);

        // A model with one key/value head has nothing left to pool.
        robot.interact(() -> app.opener().open(mqaFolder));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.viewModel().modelProperty().get().config()
                .nKvHead() == 1 && app.viewModel().runProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        openDialog(robot);
        assertTrue(kvHeadChoice(robot).isDisabled());
        assertTrue(kvHeadChoice(robot).getItems().isEmpty());
        assertEquals(ENGLISH.getString("gqa.alreadyMqa"), text(robot, "#gqa-status"));
        assertTrue(robot.lookup("#gqa-continue").queryAs(Button.class).isDisabled());
        closeDialog(robot);
    }

    private static void closeDialog(FxRobot robot) {
        javafx.scene.Node pane = robot.lookup("#gqa-dialog").query();
        robot.interact(() -> pane.getScene().getWindow().hide());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private long iteration() {
        var snapshot = app.dashboard().viewModel().snapshotProperty().get();
        return snapshot == null ? 0 : snapshot.iteration();
    }
}
