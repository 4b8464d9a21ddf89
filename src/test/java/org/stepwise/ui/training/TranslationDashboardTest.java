package org.stepwise.ui.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TabPane;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.train.LossHistory;
import org.stepwise.train.SavedTraining;
import org.stepwise.train.TrainingSnapshot;
import org.stepwise.train.TranslationSession;
import org.stepwise.ui.I18n;

/**
 * The training dashboard alone in a headless stage, training the bundled English→Chinese model's architecture from
 * random weights on the bundled sentence pairs: the counters advance, the loss falls, the batch shows pairs, the
 * sample is the translation of a held-back sentence, and the controls that do not apply are off.
 */
@ExtendWith(ApplicationExtension.class)
class TranslationDashboardTest {

    private static final Path SHOTS = Path.of("target", "stage-shots");

    private final ResourceBundle messages = I18n.bundle(Locale.ENGLISH);
    private TrainingDashboard dashboard;
    private TrainingViewModel viewModel;
    private LoadedEncoderDecoder random;
    @TempDir
    Path sessionFolder;

    @Start
    void start(Stage stage) throws Exception {
        Locale.setDefault(Locale.ENGLISH);
        LoadedEncoderDecoder checkpoint = EncoderDecoderFolder.load(Path.of("assets", "model-en-zh"));
        random = new LoadedEncoderDecoder("en-zh-random", checkpoint.config(),
                ParameterLayout.of(checkpoint.config()).initialize(7), checkpoint.sourceTokenizer(),
                checkpoint.targetTokenizer(), checkpoint.lowercaseSource());
        viewModel = new TrainingViewModel(messages);
        dashboard = new TrainingDashboard(messages, viewModel);
        stage.setScene(new Scene(dashboard, 640, 760));
        stage.show();
        assertTrue(dashboard.trainTranslation(random));
    }

    @AfterEach
    void close() throws Exception {
        onFx(() -> {
            viewModel.close();
            return null;
        });
    }

    private <T> T onFx(Callable<T> action) throws Exception {
        return WaitForAsyncUtils.asyncFx(action).get(30, TimeUnit.SECONDS);
    }

    private TrainingSnapshot awaitSnapshot(java.util.function.Predicate<TrainingSnapshot> condition) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> {
            TrainingSnapshot now = onFx(() -> viewModel.snapshotProperty().get());
            return now != null && condition.test(now);
        });
        WaitForAsyncUtils.waitForFxEvents();
        return onFx(() -> viewModel.snapshotProperty().get());
    }

    private String label(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    private boolean disabled(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).query().isDisabled());
    }

    private void fire(FxRobot robot, String id) throws Exception {
        onFx(() -> {
            robot.lookup(id).queryButton().fire();
            return null;
        });
    }

    @Test
    void trainsFromRandomWeightsAndTheLossFalls(FxRobot robot) throws Exception {
        awaitSnapshot(s -> s.iteration() == 0);
        fire(robot, "#dashboard-step");
        TrainingSnapshot one = awaitSnapshot(s -> s.iteration() == 1);
        assertEquals("1", label(robot, "#dashboard-iteration"));
        assertEquals(16, one.batchPairs().size());
        assertEquals(544, one.trainSamples());
        assertEquals("16", label(robot, "#dashboard-samples-seen"));
        double firstLoss = one.trainLoss();
        assertTrue(firstLoss > 3.5, "random weights start near ln 107 ≈ 4.67: " + firstLoss);

        fire(robot, "#dashboard-play");
        awaitSnapshot(s -> s.iteration() >= 80 && s.running());
        String speed = label(robot, "#dashboard-tokens-per-second");
        fire(robot, "#dashboard-play");
        TrainingSnapshot paused = awaitSnapshot(s -> !s.running());
        assertTrue(paused.iteration() >= 80);
        assertEquals(Long.toString(paused.iteration()), label(robot, "#dashboard-iteration"));
        assertEquals(paused.batchInEpoch() + " / " + paused.batchesPerEpoch(), label(robot, "#dashboard-batch-in-epoch"));
        assertTrue(paused.epoch() >= 3, "80 batches of 16 are more than two epochs of 544 pairs: " + paused.epoch());
        assertNotEquals("–", speed, "tokens per second while running");

        LossHistory history = onFx(() -> viewModel.lossHistoryProperty().get());
        double[] losses = history.trainLosses();
        double lastTen = 0;
        for (int i = losses.length - 10; i < losses.length; i++) {
            lastTen += losses[i];
        }
        lastTen /= 10;
        assertTrue(lastTen < firstLoss - 1.0, "the train loss falls: " + firstLoss + " → " + lastTen);
        double[] validation = history.validationLosses();
        assertTrue(validation.length >= 2, "validation losses at each epoch end");
        assertTrue(validation[validation.length - 1] < firstLoss - 1.0,
                "the held-back pairs' loss falls too: " + validation[validation.length - 1]);
        assertFalse(label(robot, "#dashboard-validation-loss").equals("–"));

        String sentence = TranslationCorpus.englishChinese("pairs").shownSentence();
        String expected = sentence + " → " + TrainingViewModel.translate(random, paused.weights(), sentence);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS,
                () -> onFx(() -> viewModel.sampleTextProperty().get()).equals(expected));
        assertEquals(expected, onFx(() -> robot.lookup("#dashboard-sample").queryAs(Label.class).getText()),
                "the sample is the greedy translation with the latest weights");

        onFx(() -> {
            robot.lookup("#dashboard-details").queryAs(TabPane.class).getSelectionModel().select(1);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        String batch = label(robot, "#dashboard-batch-text");
        assertTrue(batch.contains(paused.batchPairs().get(0).source() + " → " + paused.batchPairs().get(0).target()),
                batch);
        writeShot("translation");
    }

    @Test
    void controlsThatDoNotApplyAreOffWithTheReasonShown(FxRobot robot) throws Exception {
        awaitSnapshot(s -> s.iteration() == 0);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("English→Chinese pairs", onFx(() -> robot.lookup("#dashboard-corpus")
                .queryAs(ComboBox.class).getPromptText()));
        assertTrue(disabled(robot, "#dashboard-corpus"));
        assertTrue(disabled(robot, "#dashboard-new-model"));
        assertFalse(disabled(robot, "#dashboard-save-session"), "a translation run saves like a text run");
        assertTrue(disabled(robot, "#dashboard-temperature"));
        assertFalse(disabled(robot, "#dashboard-step"));
        assertFalse(disabled(robot, "#dashboard-batch-size"));
        assertFalse(disabled(robot, "#dashboard-optimizer"));
        Node note = robot.lookup("#dashboard-translation-note").query();
        assertTrue(onFx(note::isVisible));
        assertEquals(messages.getString("dashboard.translation.note"), label(robot, "#dashboard-translation-note"));
        assertTrue(label(robot, "#dashboard-model").contains("2 encoder + 2 decoder blocks"),
                label(robot, "#dashboard-model"));
        assertEquals(messages.getString("dashboard.sample.translation"), label(robot, "#dashboard-sample-title"));
        assertFalse(onFx(viewModel::hasUnsavedProgress));

        onFx(() -> viewModel.setBatchSize(8)).get(10, TimeUnit.SECONDS);
        fire(robot, "#dashboard-step");
        TrainingSnapshot one = awaitSnapshot(s -> s.iteration() == 1);
        assertEquals(8, one.batchPairs().size());
        assertEquals("8", label(robot, "#dashboard-samples-seen"));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(onFx(viewModel::hasUnsavedProgress), "a trained translation run asks to be saved before closing");

        Path saved = onFx(() -> dashboard.saveSessionTo(sessionFolder.resolve("en-zh-session")))
                .get(30, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(onFx(viewModel::hasUnsavedProgress));
        TranslationSession reopened = assertInstanceOf(TranslationSession.class, SavedTraining.open(saved));
        assertEquals(1, reopened.state().iteration());
        assertEquals(8, reopened.settings().batchSize());
        for (String name : one.weights().names()) {
            assertArrayEquals(one.weights().get(name).data, reopened.state().weights().get(name).data, name);
        }
    }

    private void writeShot(String name) throws Exception {
        Files.createDirectories(SHOTS);
        for (double scroll : new double[] {0, 1}) {
            WritableImage image = onFx(() -> {
                ScrollPane pane = (ScrollPane) dashboard.getChildren().get(0);
                pane.setVvalue(scroll);
                dashboard.applyCss();
                dashboard.layout();
                dashboard.layout();
                return dashboard.snapshot(null, null);
            });
            ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png",
                    SHOTS.resolve("dashboard-" + name + (scroll == 0 ? "" : "-details") + ".png").toFile());
        }
    }
}
