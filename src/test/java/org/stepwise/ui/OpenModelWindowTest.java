package org.stepwise.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.concurrent.Worker;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
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

import org.stepwise.app.DefaultModel;
import org.stepwise.app.StepwiseApp;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.tokenizer.Gpt2TestFolder;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.TokenizerFiles;

/**
 * The File menu of the real window, headless: a small random GPT-2 folder (GPT-2's full vocabulary, d_model 8,
 * one block) opens in the background and the window shows its tokens and stages with training off; Cancel and a
 * broken folder leave the model on screen; the recent list is kept and read back.
 */
@ExtendWith(ApplicationExtension.class)
class OpenModelWindowTest {

    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private static final String PREFERENCES = "/org/stepwise/open-model-window-test";

    @TempDir
    static Path work;

    private static Path gpt2Folder;
    private static Path brokenFolder;
    private static Path smallFolder;

    private StepwiseApp app;

    @BeforeAll
    static void writeFolders() throws IOException {
        Path tokenizerDir = work.resolve("tokenizer");
        Gpt2TestFolder.write(tokenizerDir);
        Tokenizer gpt2 = TokenizerFiles.load(tokenizerDir);
        ModelConfig config = ModelConfig.gpt2Like(Gpt2TestFolder.GPT2_VOCAB_SIZE, 32, 1, 2, 8);
        gpt2Folder = work.resolve("gpt2-tiny");
        ModelFolder.save(gpt2Folder, new LoadedModel("gpt2-tiny", config, ParameterLayout.of(config).initialize(5), gpt2),
                Map.of());

        brokenFolder = work.resolve("gpt2-broken");
        ModelFolder.save(brokenFolder, new LoadedModel("gpt2-broken", config, ParameterLayout.of(config).initialize(6),
                gpt2), Map.of());
        Path weights = brokenFolder.resolve(ModelFolder.WEIGHTS);
        try (RandomAccessFile file = new RandomAccessFile(weights.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }

        LoadedModel bundled = DefaultModel.load();
        smallFolder = work.resolve("small-own");
        ModelFolder.save(smallFolder, bundled.withName("small-own"), Map.of());
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

    @Test
    void theMenuOpensAGpt2FolderAndTheWindowShowsItsTokensAndStagesWithTrainingOff(FxRobot robot) throws Exception {
        waitForStartModel();
        app.opener().setFolderChooser(owner -> gpt2Folder);
        robot.clickOn("#menu-file");
        robot.clickOn(ENGLISH.getString("menu.file.open"));
        VisualizerViewModel viewModel = app.viewModel();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> viewModel.modelProperty().get().config().vocabSize()
                == Gpt2TestFolder.GPT2_VOCAB_SIZE && viewModel.runProperty().get() != null
                && viewModel.preparedProperty().get().encoding() != null);
        WaitForAsyncUtils.waitForFxEvents();
        LoadedModel shown = viewModel.modelProperty().get();
        assertEquals(8, shown.config().dModel());
        assertEquals(1, shown.config().nLayer());

        String sentence = ENGLISH.getString("ui.defaultSentence");
        int[] expectedIds = Gpt2TestFolder.referenceIds(sentence);
        assertTrue(Arrays.equals(expectedIds, viewModel.preparedProperty().get().ids()),
                Arrays.toString(viewModel.preparedProperty().get().ids()) + " vs " + Arrays.toString(expectedIds));
        int stageCount = Pipeline.stages(shown.config()).size();
        assertEquals(stageCount, viewModel.stagesProperty().get().size());
        assertNotNull(robot.lookup("#stage-" + (stageCount - 1)).query());
        robot.interact(() -> viewModel.openStage(org.stepwise.pipeline.Stage.of(
                org.stepwise.pipeline.Stage.Kind.TOKENS), 0));
        WaitForAsyncUtils.waitForFxEvents();
        String idsText = robot.lookup("#tokens-ids").queryAs(Label.class).getText();
        assertTrue(idsText.contains(Arrays.toString(expectedIds)), idsText);

        assertTrue(app.dashboard().isTrainingOff());
        Label reason = robot.lookup("#dashboard-off-reason").queryAs(Label.class);
        assertTrue(reason.isVisible());
        assertTrue(reason.getText().startsWith("Training is off for GPT-2-sized models"), reason.getText());
        assertTrue(robot.lookup("#dashboard-play").queryAs(Button.class).isDisabled());

        Path expectedRecent = gpt2Folder.toAbsolutePath().normalize();
        assertEquals(List.of(expectedRecent), app.opener().recent().folders());
        assertEquals(expectedRecent.toString(), firstRecentItem().getText());

        // The bundled model is one click away, and with it training is back on.
        robot.clickOn("#menu-file");
        robot.clickOn(ENGLISH.getString("menu.file.bundled"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS,
                () -> viewModel.modelProperty().get().config().equals(DefaultModel.CONFIG)
                        && app.dashboard().modelProperty().get() == viewModel.modelProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(app.dashboard().isTrainingOff());
        assertFalse(robot.lookup("#dashboard-play").queryAs(Button.class).isDisabled());
    }

    @Test
    void aSmallModelFolderIsShownAndHandedToTheTrainer(FxRobot robot) throws Exception {
        waitForStartModel();
        LoadedModel before = app.viewModel().modelProperty().get();
        robot.interact(() -> app.opener().open(smallFolder));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.viewModel().modelProperty().get() != before);
        WaitForAsyncUtils.waitForFxEvents();
        LoadedModel shown = app.viewModel().modelProperty().get();
        assertEquals("small-own", shown.name());
        assertSame(shown, app.dashboard().modelProperty().get());
        assertFalse(app.dashboard().isTrainingOff());
    }

    @Test
    void cancelLeavesTheModelOnScreenEvenWhenTheLoadFinishesLater(FxRobot robot) throws Exception {
        waitForStartModel();
        LoadedModel before = app.viewModel().modelProperty().get();
        LoadedModel training = app.dashboard().modelProperty().get();
        Worker<?>[] task = new Worker<?>[1];
        boolean[] progressShown = new boolean[1];
        robot.interact(() -> {
            // Cancel pressed while the load runs: in the same turn of the FX thread, so the load cannot win the race.
            task[0] = app.opener().open(gpt2Folder);
            progressShown[0] = app.opener().progressNode().isVisible();
            robot.lookup("#open-cancel").queryAs(javafx.scene.control.Button.class).fire();
        });
        assertTrue(progressShown[0], "the progress bar and Cancel show while the folder loads");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Worker.State.CANCELLED, WaitForAsyncUtils.asyncFx(task[0]::getState).get());
        assertFalse(app.opener().loadingProperty().get());
        assertFalse(app.opener().progressNode().isVisible());
        // Loading the folder again here takes as long as the cancelled load, which has finished by then.
        assertEquals(Gpt2TestFolder.GPT2_VOCAB_SIZE, ModelFolder.load(gpt2Folder).config().vocabSize());
        Thread.sleep(500);
        WaitForAsyncUtils.waitForFxEvents();
        assertSame(before, app.viewModel().modelProperty().get());
        assertSame(training, app.dashboard().modelProperty().get());
        assertFalse(app.dashboard().isTrainingOff());
        assertTrue(app.opener().recent().folders().isEmpty());
    }

    @Test
    void aBrokenFolderShowsTheEnginesMessageAndChangesNothing(FxRobot robot) throws Exception {
        waitForStartModel();
        String expected = assertThrows(IOException.class, () -> ModelFolder.load(brokenFolder)).getMessage();
        assertTrue(expected.contains(ModelFolder.WEIGHTS), expected);
        LoadedModel before = app.viewModel().modelProperty().get();
        robot.interact(() -> app.opener().open(brokenFolder));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.opener().shownFailure() != null);
        WaitForAsyncUtils.waitForFxEvents();
        DialogPane dialog = robot.lookup("#open-failure").queryAs(DialogPane.class);
        assertEquals(expected, dialog.getContentText());
        assertEquals(ENGLISH.getString("open.failed.title"), app.opener().shownFailure().getTitle());
        assertSame(before, app.viewModel().modelProperty().get());
        assertFalse(app.dashboard().isTrainingOff());
        assertTrue(app.opener().recent().folders().isEmpty());
        robot.interact(() -> app.opener().shownFailure().close());
    }

    @Test
    void theRecentListKeepsEightNewestFirstSurvivesARestartAndDropsMissingFolders() throws Exception {
        Preferences node = Preferences.userRoot().node(PREFERENCES).node("recent-list");
        RecentModels recent = new RecentModels(node);
        for (int index = 0; index < 10; index++) {
            Path folder = Files.createDirectories(work.resolve("recent-" + index));
            recent.add(folder);
        }
        recent.add(work.resolve("recent-4"));
        assertEquals(RecentModels.LIMIT, recent.folders().size());
        assertEquals(work.resolve("recent-4").toAbsolutePath().normalize(), recent.folders().get(0));
        assertEquals(work.resolve("recent-9").toAbsolutePath().normalize(), recent.folders().get(1));
        assertFalse(recent.folders().contains(work.resolve("recent-1").toAbsolutePath().normalize()));

        Files.delete(work.resolve("recent-9"));
        RecentModels reread = new RecentModels(node);
        assertEquals(RecentModels.LIMIT - 1, reread.folders().size());
        assertEquals(work.resolve("recent-4").toAbsolutePath().normalize(), reread.folders().get(0));
        assertEquals(work.resolve("recent-8").toAbsolutePath().normalize(), reread.folders().get(1));
    }

    private MenuItem firstRecentItem() {
        MenuBar bar = new FxRobot().lookup("#menu-bar").queryAs(MenuBar.class);
        for (MenuItem item : bar.getMenus().get(0).getItems()) {
            if (item instanceof Menu menu && "menu-recent".equals(menu.getId())) {
                return menu.getItems().get(0);
            }
        }
        throw new AssertionError("no Recent models menu");
    }
}
