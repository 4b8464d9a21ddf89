package org.stepwise.ui.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.ResourceBundle;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javafx.event.Event;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.robot.Motion;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.StepwiseApp;
import org.stepwise.app.TranslationModel;
import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.pipeline.EncoderDecoderPipeline;
import org.stepwise.pipeline.ExplanationFormatter;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.sample.Translator;
import org.stepwise.ui.I18n;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.viz.Cell;
import org.stepwise.viz.HeatmapView;

/**
 * The bundled English→Chinese model in the real window, headless: File → the bundled translation model opens it,
 * Translate writes the model's greedy translation of "i have three red apples" token by token, and the
 * cross-attention stage shows a target × source heatmap whose hovered cells are explained with the trace's numbers;
 * Open model folder takes the translation folder, and a decoder-only model brings the visualizer back.
 */
@ExtendWith(ApplicationExtension.class)
class TranslationWindowTest {

    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private static final String PREFERENCES = "/org/stepwise/translation-window-test";

    private StepwiseApp app;

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

    private static void press(FxRobot robot, Node target, KeyCode code) {
        robot.interact(() -> {
            target.requestFocus();
            Event.fireEvent(target, new KeyEvent(KeyEvent.KEY_PRESSED, "", "", code, false, false, false, false));
        });
    }

    private static Point2D centre(HeatmapView heatmap, Cell cell) {
        Bounds bounds = heatmap.cellBounds(cell);
        return heatmap.localToScreen(bounds.getCenterX(), bounds.getCenterY());
    }

    @Test
    void theBundledModelTranslatesGreedilyAndItsCrossAttentionIsExplainedCellByCell(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.viewModel().runProperty().get() != null
                && app.dashboard().viewModel().readyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#menu-file");
        robot.clickOn(ENGLISH.getString("encdec.menu.bundled"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.translation().isShowing()
                && app.translation().window().viewModel().contextProperty().get() != null
                && app.translation().window().viewModel().contextProperty().get().run() != null);
        TranslationWindow window = app.translation().window();
        TranslationViewModel viewModel = window.viewModel();
        assertFalse(app.dashboard().isTrainingOff(), "the dashboard trains the translation model");
        assertEquals(model(app), app.dashboard().viewModel().translationModelProperty().get().config());
        assertEquals("i have three red apples", viewModel.sourceProperty().get());
        assertEquals("", viewModel.targetProperty().get());
        assertNull(app.opener().openedFolder(), "the session does not reopen a translation model");

        // the model's own greedy translation, computed apart from the window
        LoadedEncoderDecoder model = TranslationModel.load();
        int[] source = model.encodeSource("i have three red apples");
        int[] greedy = new Translator(new EncoderDecoder(model.config(), model.parameters())).translate(source,
                model.startId(), model.endId(), model.config().shared().contextLength(), SamplingSettings.GREEDY,
                new SplittableRandom(1));
        String expected = model.targetTokenizer().decode(greedy);
        assertFalse(expected.isEmpty());

        // T shows and hides the dashboard, as in the decoder-only window; Ctrl+T translates, even while typing.
        assertSame(app.dashboard(), window.root().getRight());
        press(robot, window.root(), KeyCode.T);
        assertNull(window.root().getRight(), "T hides the training dashboard");
        assertFalse(window.trainingToggle().isSelected());
        press(robot, window.root(), KeyCode.T);
        assertSame(app.dashboard(), window.root().getRight(), "T shows it again");
        assertEquals("", viewModel.targetProperty().get(), "T does not translate");
        robot.interact(() -> {
            javafx.scene.Node field = robot.lookup("#target-sentence").query();
            field.requestFocus();
            Event.fireEvent(field, new KeyEvent(KeyEvent.KEY_PRESSED, "", "", KeyCode.T, false, true, false, false));
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !viewModel.translatingProperty().get()
                && !viewModel.busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(expected, viewModel.targetProperty().get());
        assertEquals(ENGLISH.getString("encdec.translate.done"), robot.lookup("#status").queryAs(Label.class).getText());
        assertEquals(greedy.length, viewModel.tracedTarget().length);

        // Enter in the Chinese field translates again from an empty target
        robot.interact(viewModel::clearTarget);
        robot.interact(() -> {
            javafx.scene.Node field = robot.lookup("#target-sentence").query();
            field.requestFocus();
            Event.fireEvent(field, new KeyEvent(KeyEvent.KEY_PRESSED, "", "", KeyCode.ENTER, false, false, false, false));
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> expected.equals(viewModel.targetProperty().get())
                && !viewModel.translatingProperty().get() && !viewModel.busyProperty().get());

        // step with the keys from the first stage to decoder block 1's cross-attention softmax
        org.stepwise.pipeline.Stage wanted = org.stepwise.pipeline.Stage.of(org.stepwise.pipeline.Stage.Kind.CROSS_SOFTMAX, 1);
        int steps = viewModel.indexOf(wanted);
        assertTrue(steps > 0);
        for (int i = 0; i < steps; i++) {
            press(robot, window.root(), KeyCode.RIGHT);
        }
        robot.interact(() -> viewModel.headProperty().set(2));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(wanted, viewModel.stageProperty().get());
        StageContext context = viewModel.contextProperty().get();
        SentenceTrace run = context.run();
        int targetTokens = greedy.length + 1;                       // the start id, then the translation
        assertEquals(targetTokens, run.tokens());
        HeatmapView pattern = window.generalPanel().heatmap("A");
        assertEquals(targetTokens, pattern.rowCount(), "one row per target token");
        assertEquals(source.length, pattern.columnCount(), "one column per source token");

        int row = targetTokens - 1;
        int column = 2;
        Label explanation = robot.lookup("#explanation").queryAs(Label.class);
        robot.interact(() -> window.generalPanel().scrollTo("A", new Cell(row, column)));
        robot.moveTo(centre(pattern, new Cell(row, column)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        double weight = run.trace().get(HookKey.of(Hook.CROSS_PATTERN, 1, 2), row, column);
        String text = explanation.getText();
        assertTrue(text.endsWith("= " + ExplanationFormatter.number(weight)), text + " ends with " + weight);
        double score = run.trace().get(HookKey.of(Hook.CROSS_ATTN_SCORES, 1, 2), row, column);
        assertTrue(text.contains(ExplanationFormatter.number(score)), text + " shows the score " + score);

        press(robot, window.root(), KeyCode.LEFT);                  // the cross-attention scores
        HeatmapView scores = window.generalPanel().heatmap("S");
        assertEquals(targetTokens, scores.rowCount());
        assertEquals(source.length, scores.columnCount());
        robot.interact(() -> window.generalPanel().scrollTo("S", new Cell(row, column)));
        // The cell may sit where the pattern's cell was (both heatmaps right-most, scrolled to the end): the pointer
        // leaves it first, so that arriving on it is a move the heatmap sees.
        robot.moveTo(centre(scores, new Cell(row, column)).add(0, -scores.cellBounds(new Cell(row, column)).getHeight()),
                Motion.DIRECT);
        robot.moveTo(centre(scores, new Cell(row, column)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        int headDim = model.config().shared().headDim();
        double dot = 0;
        for (int d = 0; d < headDim; d++) {
            dot += run.trace().get(HookKey.of(Hook.CROSS_Q, 1, 2), row, d)
                    * run.trace().get(HookKey.of(Hook.CROSS_K, 1, 2), column, d);
        }
        assertEquals(score, dot / Math.sqrt(headDim), 1e-12);
        String scoreText = explanation.getText();
        assertTrue(scoreText.endsWith("= " + ExplanationFormatter.number(score)), scoreText + " ends with " + score);
        assertTrue(scoreText.contains("/" + ExplanationFormatter.number(Math.sqrt(headDim))), scoreText + " divides by √d");

        // Three iterations of the dashboard's trainer: the window traces the sentence again with the new weights.
        org.stepwise.ui.training.TrainingViewModel training = app.dashboard().viewModel();
        SentenceTrace before = viewModel.contextProperty().get().run();
        robot.interact(() -> {
            training.stepIteration();
            training.stepIteration();
            training.stepIteration();
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> training.snapshotProperty().get() != null
                && training.snapshotProperty().get().iteration() >= 3 && !training.snapshotProperty().get().running());
        org.stepwise.model.Parameters trained = training.snapshotProperty().get().weights();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !viewModel.busyProperty().get()
                && viewModel.contextProperty().get() != null && viewModel.contextProperty().get().run() != before
                && viewModel.contextProperty().get().run().trace().get(HookKey.of(Hook.CROSS_PATTERN, 1, 2), row, column)
                        != weight);
        LoadedEncoderDecoder trainedModel = new LoadedEncoderDecoder(model.name(), model.config(), trained,
                model.sourceTokenizer(), model.targetTokenizer(), model.lowercaseSource());
        org.stepwise.model.Trace expectedTrace = org.stepwise.model.Trace.record(
                new EncoderDecoder(trainedModel.config(), trainedModel.parameters()), source,
                viewModel.contextProperty().get().run().ids());
        assertEquals(expectedTrace.get(HookKey.of(Hook.CROSS_PATTERN, 1, 2), row, column),
                viewModel.contextProperty().get().run().trace().get(HookKey.of(Hook.CROSS_PATTERN, 1, 2), row, column),
                1e-12, "the window shows the trained weights' cross-attention");
    }

    private static org.stepwise.model.EncoderDecoderConfig model(StepwiseApp app) {
        return app.translation().window().viewModel().modelProperty().get().config();
    }

    @Test
    void openModelFolderTakesAnEncoderDecoderFolderAndTheBundledModelBringsTheVisualizerBack(FxRobot robot)
            throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.viewModel().runProperty().get() != null
                && app.dashboard().viewModel().readyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        app.opener().setFolderChooser(owner -> TranslationModel.FOLDER);
        robot.clickOn("#menu-file");
        robot.clickOn(ENGLISH.getString("menu.file.open"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> app.translation().isShowing()
                && app.translation().window().viewModel().contextProperty().get() != null);
        TranslationViewModel viewModel = app.translation().window().viewModel();
        assertEquals(EncoderDecoderPipeline.stages(viewModel.modelProperty().get().config()),
                viewModel.stagesProperty().get());
        assertTrue(robot.lookup("#translation-window").tryQuery().isPresent());
        assertFalse(app.dashboard().isTrainingOff(), "the dashboard trains the opened translation model");
        assertEquals(TranslationModel.FOLDER.toAbsolutePath().normalize(), app.opener().recent().folders().get(0)
                .toAbsolutePath().normalize(), "the folder joins the recent list");

        robot.clickOn("#menu-file");
        robot.clickOn(ENGLISH.getString("menu.file.bundled"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !app.translation().isShowing());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#main-window").tryQuery().isPresent());
        assertFalse(robot.lookup("#translation-window").tryQuery().isPresent());
    }
}
