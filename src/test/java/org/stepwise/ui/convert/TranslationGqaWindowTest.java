package org.stepwise.ui.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.StepwiseApp;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.train.ParallelCorpus;
import org.stepwise.train.TrainingSnapshot;
import org.stepwise.train.TranslationGqaComparison;
import org.stepwise.ui.I18n;
import org.stepwise.ui.training.TrainingViewModel;
import org.stepwise.ui.training.TranslationCorpus;
import org.stepwise.viz.HeatmapView;

/**
 * The whole app, headless, with the bundled translation model on screen: Model → Convert to grouped-query attention…
 * (clicked with the robot) shows the loss on the held-back pairs, the decoder's self- and cross-attention caches and
 * a cross-attention pattern before and after, and "continue training" trains the converted model in the dashboard
 * while the translation window shows it.
 */
@ExtendWith(ApplicationExtension.class)
class TranslationGqaWindowTest {

    private static final String PREFERENCES = "/org/stepwise/test/translation-gqa-window";
    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);

    private StepwiseApp app;

    @Start
    void start(Stage stage) throws Exception {
        Locale.setDefault(Locale.ENGLISH);
        Preferences.userRoot().node(PREFERENCES).removeNode();
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

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private long iteration() {
        TrainingSnapshot snapshot = app.dashboard().viewModel().snapshotProperty().get();
        return snapshot == null ? 0 : snapshot.iteration();
    }

    @Test
    void theTranslationModelConvertsShowsCrossAttentionAndBothCachesAndTrainsOn(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.dashboard().viewModel().readyProperty().get());
        robot.interact(() -> app.opener().openBundledTranslation());
        TrainingViewModel training = app.dashboard().viewModel();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.translation().isShowing() && training.isTranslating()
                && app.translation().window().viewModel().tracedIds() != null);
        WaitForAsyncUtils.waitForFxEvents();
        LoadedEncoderDecoder shown = app.translation().window().viewModel().liveModel();
        int[][] traced = app.translation().window().viewModel().tracedIds();

        GqaConversionWindowTest.openDialog(robot);
        @SuppressWarnings("unchecked")
        ComboBox<Integer> choice = robot.lookup("#gqa-kv-heads").queryAs(ComboBox.class);
        assertEquals(List.of(2, 1), choice.getItems());
        robot.interact(() -> choice.setValue(2));
        Button continueButton = robot.lookup("#gqa-continue").queryAs(Button.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !continueButton.isDisabled());
        WaitForAsyncUtils.waitForFxEvents();

        ParallelCorpus heldBack = TranslationCorpus.englishChinese("pairs").test();
        TranslationGqaComparison expected = TranslationGqaComparison.compute(shown, 2, heldBack);
        assertEquals(GqaConversionDialog.loss(expected.lossBefore()), text(robot, "#gqa-loss-before"));
        assertEquals(GqaConversionDialog.loss(expected.lossAfter()), text(robot, "#gqa-loss-after"));
        assertTrue(text(robot, "#gqa-loss-after").compareTo(text(robot, "#gqa-loss-before")) != 0,
                "pooling changes the loss");
        assertEquals("4", text(robot, "#gqa-kv-before"));
        assertEquals("2", text(robot, "#gqa-kv-after"));
        // 2 · L · G · D · 4 bytes = 2 · 2 decoder blocks · 4 heads · 16 · 4 = 1024 B per token, for each cache.
        assertEquals("1024 B", text(robot, "#gqa-cache-before"));
        assertEquals("512 B", text(robot, "#gqa-cache-after"));
        assertEquals("1024 B", text(robot, "#gqa-cross-cache-before"));
        assertEquals("512 B", text(robot, "#gqa-cross-cache-after"));
        EncoderDecoderConfig converted = expected.converted().config();
        assertEquals(GqaConversionDialog.bytes(2 * TranslationGqaComparison.cacheOf(converted).bytesFor(24)),
                text(robot, "#gqa-context-cache-after"));
        assertEquals("48.0 KiB", text(robot, "#gqa-context-cache-before"));       // (24 + 24) tokens · 1024 B
        assertEquals(I18n.format(ENGLISH, "gqa.row.pairsLoss", ENGLISH.getString("dashboard.corpus.pairs"),
                heldBack.size()), robot.lookup(".label").queryAllAs(Label.class).stream()
                .filter(label -> label.getText().startsWith("Loss on the held-back")).findFirst().orElseThrow().getText());
        assertEquals(ENGLISH.getString("gqa.cross.patternCaption"), text(robot, "#gqa-pattern-caption"));

        HeatmapView before = robot.lookup("#gqa-pattern-before").queryAs(HeatmapView.class);
        HeatmapView after = robot.lookup("#gqa-pattern-after").queryAs(HeatmapView.class);
        assertEquals(traced[1].length, before.rowCount(), "a row per decoder input token");
        assertEquals(traced[0].length, before.columnCount(), "a column per source token");
        assertEquals(traced[1].length, after.rowCount());
        assertEquals(traced[0].length, after.columnCount());

        robot.clickOn("#gqa-continue");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> training.translationModelProperty().get() != null
                && training.translationModelProperty().get().config().shared().nKvHead() == 2);
        LoadedEncoderDecoder trained = training.translationModelProperty().get();
        assertEquals(converted, trained.config());
        assertEquals(I18n.format(ENGLISH, "gqa.modelName", shown.name(), 2), trained.name());
        assertTrue(app.translation().isShowing());
        assertSame(trained, app.translation().window().viewModel().modelProperty().get(),
                "the translation window shows the converted model");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> iteration() >= 2);
        long seen = iteration();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> iteration() > seen);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> app.translation().window().viewModel().liveModel()
                != trained);
        assertEquals(converted, app.translation().window().viewModel().liveModel().config(),
                "the window follows the converted model's trained weights");
        robot.interact(training::pause);
    }
}
