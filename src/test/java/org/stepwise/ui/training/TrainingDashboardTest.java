package org.stepwise.ui.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.scene.control.ScrollPane;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.stage.Stage;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.train.Dataset;
import org.stepwise.train.LearningRateSchedule;
import org.stepwise.train.LossHistory;
import org.stepwise.train.Optimizer;
import org.stepwise.train.TrainingLoop;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.TrainingSnapshot;
import org.stepwise.train.UpdateStrategy;
import org.stepwise.ui.I18n;
import org.stepwise.viz.Cell;
import org.stepwise.viz.HeatmapView;
import org.stepwise.viz.LossChart;

/**
 * The training dashboard alone in a headless stage, driven through its buttons and sliders: start, pause, one
 * iteration (checked against a training loop run here), one epoch, a new rate mid-run, a divergence and its
 * recovery, and a saved session that continues with identical losses.
 */
@ExtendWith(ApplicationExtension.class)
class TrainingDashboardTest {

    private static final Path SHOTS = Path.of("target", "stage-shots");
    private static final int CONTEXT = 16;
    private static final long SEED = 7;

    private final ResourceBundle messages = I18n.bundle(Locale.ENGLISH);
    private final List<Parameters> shownWeights = new CopyOnWriteArrayList<>();
    private TrainingDashboard dashboard;
    private TrainingViewModel viewModel;
    private Stage stage;
    private String text;
    private Tokenizer tokenizer;
    private ModelConfig config;

    private static TrainingSettings settings() {
        return new TrainingSettings(8, 0.05, Optimizer.Kind.SGD, 0, LearningRateSchedule.constant(), 0,
                UpdateStrategy.PER_BATCH, SEED, TrainingViewModel.VALIDATION_FRACTION, 5, 2);
    }

    @Start
    void start(Stage stage) throws Exception {
        Locale.setDefault(Locale.ENGLISH);
        this.stage = stage;
        text = Corpus.english().text().substring(0, 3000);
        tokenizer = CharTokenizer.train(text);
        config = ModelConfig.gpt2Like(tokenizer.vocabSize(), CONTEXT, 1, 2, 16);
        viewModel = new TrainingViewModel(messages);
        dashboard = new TrainingDashboard(messages, viewModel);
        dashboard.addWeightsListener(shownWeights::add);
        viewModel.train(new LoadedModel("tiny", config, ParameterLayout.of(config).initialize(SEED), tokenizer),
                new Corpus("english-3000.txt", text), settings());
        stage.setScene(new Scene(dashboard, 640, 760));
        stage.show();
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

    private TrainingSnapshot snapshot() throws Exception {
        return onFx(() -> viewModel.snapshotProperty().get());
    }

    private TrainingSnapshot awaitSnapshot(java.util.function.Predicate<TrainingSnapshot> condition) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> {
            TrainingSnapshot now = snapshot();
            return now != null && condition.test(now);
        });
        WaitForAsyncUtils.waitForFxEvents();
        return snapshot();
    }

    private String label(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    /** Presses a button below the visible part of the scrolling dashboard. */
    private void fire(FxRobot robot, String id) throws Exception {
        onFx(() -> {
            robot.lookup(id).queryButton().fire();
            return null;
        });
    }

    private TrainingLoop referenceLoop() {
        Dataset data = new Dataset(tokenizer.encode(text).ids(), CONTEXT, TrainingViewModel.VALIDATION_FRACTION);
        return TrainingLoop.fresh(config, data, settings());
    }

    private static void assertSameWeights(Parameters expected, Parameters actual) {
        assertEquals(expected.names(), actual.names());
        for (String name : expected.names()) {
            assertArrayEquals(expected.get(name).data, actual.get(name).data, 0.0, name);
        }
    }

    /**
     * Writes two pictures of what the window shows: the top of the dashboard, and the dashboard scrolled down to the
     * details (ΔW, the batch). Heatmaps draw only their visible cells, so a picture of the whole scrolling content
     * would show the parts below the fold blank. Returns the second picture.
     */
    private WritableImage writeShot(String name) throws Exception {
        Files.createDirectories(SHOTS);
        WritableImage top = onFx(() -> showScrolledTo(0));
        ImageIO.write(SwingFXUtils.fromFXImage(top, null), "png", SHOTS.resolve("dashboard-" + name + ".png").toFile());
        WritableImage details = onFx(() -> showScrolledTo(1));
        ImageIO.write(SwingFXUtils.fromFXImage(details, null), "png",
                SHOTS.resolve("dashboard-" + name + "-details.png").toFile());
        onFx(() -> showScrolledTo(0));
        return details;
    }

    private WritableImage showScrolledTo(double scroll) {
        ScrollPane pane = (ScrollPane) dashboard.getChildren().get(0);
        pane.setVvalue(scroll);
        dashboard.applyCss();
        dashboard.layout();
        dashboard.layout();   // the heatmaps draw the cells scrolled into view during this layout
        return dashboard.snapshot(null, null);
    }

    /** Pixels of {@code image} inside {@code inImage} that are clearly coloured (not white, grey or black). */
    private static int colouredPixels(WritableImage image, Bounds inImage) {
        int count = 0;
        PixelReader pixels = image.getPixelReader();
        for (int y = (int) Math.max(0, inImage.getMinY()); y < Math.min(image.getHeight(), inImage.getMaxY()); y++) {
            for (int x = (int) Math.max(0, inImage.getMinX()); x < Math.min(image.getWidth(), inImage.getMaxX()); x++) {
                Color colour = pixels.getColor(x, y);
                if (colour.getSaturation() > 0.25 && colour.getBrightness() > 0.2) {
                    count++;
                }
            }
        }
        return count;
    }

    @Test
    void stepOneIterationAppliesExactlyOneUpdateThenStartAndPause(FxRobot robot) throws Exception {
        awaitSnapshot(s -> s.iteration() == 0);
        Parameters initial = snapshot().weights();
        robot.clickOn("#dashboard-step");
        TrainingSnapshot one = awaitSnapshot(s -> s.iteration() == 1);
        assertEquals("1", label(robot, "#dashboard-iteration"));
        assertEquals(1, one.updates());
        assertFalse(one.running());

        TrainingLoop reference = referenceLoop();
        assertSameWeights(initial, reference.weights());
        TrainingLoop.Step step = reference.stepIteration();
        assertSameWeights(reference.weights(), one.weights());
        assertEquals(step.loss(), one.trainLoss(), 0.0);
        assertSameWeights(initial, one.lastUpdate().before());
        DMatrixRMaj delta = one.lastUpdate().delta(ParameterLayout.TOKEN_EMBEDDING);
        assertTrue(Arrays.stream(delta.data).anyMatch(value -> value != 0), "the embedding moved");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> shownWeights.contains(one.weights()));

        robot.clickOn("#dashboard-play");
        TrainingSnapshot running = awaitSnapshot(s -> s.running() && s.iteration() > 5);
        assertEquals(messages.getString("dashboard.pause"), onFx(() ->
                robot.lookup("#dashboard-play").queryButton().getText()));
        robot.clickOn("#dashboard-play");
        TrainingSnapshot paused = awaitSnapshot(s -> !s.running());
        assertTrue(paused.iteration() >= running.iteration());
        Thread.sleep(300);
        assertEquals(paused.iteration(), snapshot().iteration(), "no iteration after the pause");
        assertEquals(Long.toString(paused.iteration()), label(robot, "#dashboard-iteration"));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !label(robot, "#dashboard-sample")
                .equals(messages.getString("dashboard.sample.waiting")));
        writeShot("running");
    }

    @Test
    void stepOneEpochEndsTheEpochWithAVisibleReshuffle(FxRobot robot) throws Exception {
        awaitSnapshot(s -> s.iteration() == 0);
        robot.clickOn("#dashboard-step-epoch");
        TrainingSnapshot end = awaitSnapshot(s -> s.epoch() == 2);
        assertEquals(end.batchesPerEpoch(), end.iteration());
        assertEquals("2", label(robot, "#dashboard-epoch"));
        assertEquals("0 / " + end.batchesPerEpoch(), label(robot, "#dashboard-batch-in-epoch"));
        assertTrue(onFx(() -> robot.lookup("#dashboard-epoch-flash").queryAs(Label.class).isVisible()));
        assertTrue(label(robot, "#dashboard-message").contains("Epoch 1 is over"));
        writeShot("epoch-end");
        TrainingLoop reference = referenceLoop();
        for (long i = 0; i < end.iteration(); i++) {
            reference.stepIteration();
        }
        assertSameWeights(reference.weights(), end.weights());
    }

    @Test
    void learningRateChangesWhileTraining(FxRobot robot) throws Exception {
        awaitSnapshot(s -> s.iteration() == 0);
        robot.clickOn("#dashboard-play");
        awaitSnapshot(s -> s.running() && s.iteration() > 2);
        onFx(() -> {
            robot.lookup("#dashboard-learning-rate").queryAs(Slider.class).setValue(Math.log10(0.01));
            return null;
        });
        TrainingSnapshot after = awaitSnapshot(s -> Math.abs(s.learningRate() - 0.01) < 1e-12 && s.running());
        long changedAt = after.iteration();
        awaitSnapshot(s -> s.iteration() > changedAt + 3);
        assertEquals(0.01, snapshot().settings().learningRate(), 1e-12);
        assertEquals("1E-2", label(robot, "#dashboard-learning-rate-value"));
        robot.clickOn("#dashboard-play");
        awaitSnapshot(s -> !s.running());
    }

    @Test
    void aHugeRateDivergesAndTheSuggestedRateRecovers(FxRobot robot) throws Exception {
        awaitSnapshot(s -> s.iteration() == 0);
        robot.clickOn("#dashboard-step");
        awaitSnapshot(s -> s.iteration() == 1);
        onFx(() -> {
            robot.lookup("#dashboard-learning-rate").queryAs(Slider.class).setValue(2);
            return null;
        });
        awaitSnapshot(s -> s.settings().learningRate() > 99);
        robot.clickOn("#dashboard-play");
        TrainingSnapshot diverged = awaitSnapshot(s -> s.event() == TrainingSnapshot.Event.DIVERGED || !s.running()
                && viewModel.suggestedRateProperty().get() != null);
        assertFalse(diverged.running(), "training paused");
        assertTrue(diverged.weights().allFinite(), "the last good weights are back");
        String message = label(robot, "#dashboard-message");
        assertTrue(message.contains("Try a smaller rate"), message);
        assertTrue(onFx(() -> robot.lookup("#dashboard-message").queryAs(Label.class).getStyleClass()
                .contains("dashboard-warning")));
        writeShot("diverged");

        fire(robot, "#dashboard-use-suggested-rate");
        double suggested = diverged.learningRate() / TrainingLoop.RATE_REDUCTION;
        awaitSnapshot(s -> Math.abs(s.settings().learningRate() - suggested) < 1e-9 * suggested);
        assertEquals("", label(robot, "#dashboard-message"));
        long before = snapshot().iteration();
        onFx(() -> {
            robot.lookup("#dashboard-learning-rate").queryAs(Slider.class).setValue(Math.log10(0.05));
            return null;
        });
        awaitSnapshot(s -> Math.abs(s.settings().learningRate() - 0.05) < 1e-12);
        robot.clickOn("#dashboard-step");
        TrainingSnapshot recovered = awaitSnapshot(s -> s.iteration() == before + 1);
        assertTrue(Double.isFinite(recovered.trainLoss()), "training goes on with a finite loss");
    }

    @Test
    void aSavedSessionContinuesWithIdenticalLosses(FxRobot robot, @TempDir Path folder) throws Exception {
        awaitSnapshot(s -> s.iteration() == 0);
        for (int i = 1; i <= 3; i++) {
            robot.clickOn("#dashboard-step");
            int expected = i;
            awaitSnapshot(s -> s.iteration() == expected);
        }
        Path saved = folder.resolve("run");
        onFx(() -> dashboard.saveSessionTo(saved)).get(30, TimeUnit.SECONDS);
        assertTrue(Files.isRegularFile(saved.resolve("training.json")));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> label(robot, "#dashboard-message").contains("saved"));
        for (int i = 4; i <= 6; i++) {
            robot.clickOn("#dashboard-step");
            int expected = i;
            awaitSnapshot(s -> s.iteration() == expected);
        }
        LossHistory uninterrupted = onFx(() -> viewModel.lossHistoryProperty().get());

        var open = onFx(() -> viewModel.openSession(saved));
        Thread loader = new Thread(open);
        loader.start();
        open.get(30, TimeUnit.SECONDS);
        awaitSnapshot(s -> s.iteration() == 3);
        assertEquals("3", label(robot, "#dashboard-iteration"));
        for (int i = 4; i <= 6; i++) {
            robot.clickOn("#dashboard-step");
            int expected = i;
            awaitSnapshot(s -> s.iteration() == expected);
        }
        LossHistory continued = onFx(() -> viewModel.lossHistoryProperty().get());
        assertArrayEquals(uninterrupted.trainIterations(), continued.trainIterations());
        assertArrayEquals(uninterrupted.trainLosses(), continued.trainLosses(), 0.0);
        assertNotEquals(uninterrupted.trainLosses()[3], uninterrupted.trainLosses()[4]);
    }

    @Test
    void theTimelineShowsAnEarlierMomentAndLiveReturns(FxRobot robot) throws Exception {
        awaitSnapshot(s -> s.iteration() == 0);
        robot.clickOn("#dashboard-step-epoch");
        TrainingSnapshot end = awaitSnapshot(s -> s.epoch() == 2);
        onFx(() -> {
            robot.lookup("#dashboard-timeline").queryAs(Slider.class).setValue(0);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        var moment = onFx(() -> viewModel.viewedMomentProperty().get());
        assertEquals(0, moment.iteration());
        assertTrue(shownWeights.get(shownWeights.size() - 1) == moment.weights(), "the window gets that moment");
        assertTrue(label(robot, "#dashboard-timeline-text").contains("iteration 0"));
        WritableImage details = writeShot("timeline");

        Bounds cells = onFx(() -> {
            showScrolledTo(1);
            HeatmapView delta = robot.lookup("#dashboard-delta").queryAs(HeatmapView.class);
            Bounds grid = delta.cellBounds(new Cell(0, 0));
            Bounds last = delta.cellBounds(new Cell(delta.rowCount() - 1, delta.columnCount() - 1));
            Bounds inScene = delta.localToScene(new BoundingBox(grid.getMinX(), grid.getMinY(),
                    last.getMaxX() - grid.getMinX(), last.getMaxY() - grid.getMinY()));
            return dashboard.sceneToLocal(inScene);
        });
        assertTrue(colouredPixels(details, cells) > 20, "the ΔW heatmap in the picture shows its coloured cells");

        WritableImage chart = onFx(() -> {
            showScrolledTo(0);
            return robot.lookup("#dashboard-loss-chart").queryAs(LossChart.class).snapshot(null, null);
        });
        int markerPixels = 0;
        for (int y = 32; y < chart.getHeight() - 40; y++) {
            for (int x = 60; x < 90; x++) {
                Color colour = chart.getPixelReader().getColor(x, y);
                if (colour.getGreen() > colour.getRed() + 0.2 && colour.getGreen() > colour.getBlue()) {
                    markerPixels++;
                }
            }
        }
        assertTrue(markerPixels > 20, "the timeline's marker at iteration 0 is visible right of the y axis, "
                + markerPixels + " green pixels");
        fire(robot, "#dashboard-live");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(onFx(() -> viewModel.viewedMomentProperty().get()) == null);
        assertTrue(shownWeights.get(shownWeights.size() - 1) == end.weights());
    }
}
