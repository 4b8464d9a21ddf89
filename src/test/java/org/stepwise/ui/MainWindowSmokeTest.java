package org.stepwise.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;

import javafx.geometry.Bounds;
import javafx.scene.control.Label;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.robot.Motion;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.DefaultModel;
import org.stepwise.app.StepwiseApp;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.Trace;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.ExplanationFormatter;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.viz.Cell;
import org.stepwise.viz.HeatmapView;

/** Opens the real main window headless on the bundled model and checks it shows the model's own numbers. */
@ExtendWith(ApplicationExtension.class)
class MainWindowSmokeTest {

    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private Stage stage;
    private StepwiseApp app;

    @Start
    void start(Stage stage) throws Exception {
        Locale.setDefault(Locale.ENGLISH);
        this.stage = stage;
        app = new StepwiseApp();
        app.start(stage);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void windowStepsToTheLastBlocksResidualAndExplainsTheModelsOwnNumber(FxRobot robot) throws Exception {
        assertEquals("Stepwise", stage.getTitle());
        VisualizerViewModel viewModel = app.viewModel();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> viewModel.runProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        LoadedModel model = DefaultModel.load();
        assertEquals(Pipeline.stages(model.config()).size(), viewModel.stagesProperty().get().size());
        assertNotNull(robot.lookup("#stage-" + (viewModel.stagesProperty().get().size() - 1)).query());

        String sentence = ENGLISH.getString("ui.defaultSentence");
        int[] ids = model.tokenizer().encode(sentence).ids();
        Trace reference = Trace.record(new Transformer(model.config(), model.parameters()), ids);
        int lastBlock = model.config().nLayer() - 1;
        robot.interact(() -> viewModel.openStage(org.stepwise.pipeline.Stage.of(
                org.stepwise.pipeline.Stage.Kind.FFN_RESIDUAL, lastBlock), 0));
        HeatmapView output = app.window().generalPanel().heatmap("x'");
        assertEquals(ids.length, output.rowCount());
        assertEquals(model.config().dModel(), output.columnCount());
        Cell cell = new Cell(ids.length - 1, 5);
        robot.interact(() -> app.window().generalPanel().scrollTo("x'", cell));
        Bounds bounds = output.cellBounds(cell);
        robot.moveTo(output.localToScreen(bounds.getCenterX(), bounds.getCenterY()), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        double expected = reference.get(HookKey.of(Hook.RESID_POST, lastBlock), ids.length - 1, 5);
        String explanation = robot.lookup("#explanation").queryAs(Label.class).getText();
        assertTrue(explanation.endsWith("= " + ExplanationFormatter.number(expected)), explanation + " vs " + expected);
    }

    @Test
    void anEmptySentenceSaysSoAndTypingBringsTheTraceBack(FxRobot robot) throws Exception {
        VisualizerViewModel viewModel = app.viewModel();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> viewModel.runProperty().get() != null);
        robot.interact(() -> robot.lookup("#sentence").queryTextInputControl().setText(""));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> viewModel.preparedProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(ENGLISH.getString("pipeline.notice.empty"), robot.lookup("#notices").queryAs(Label.class).getText());
        robot.interact(() -> robot.lookup("#sentence").queryTextInputControl().setText("The dog"));
        int expected = DefaultModel.load().tokenizer().encode("The dog").size();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> viewModel.runProperty().get() != null && viewModel.runProperty().get().tokens() == expected);
    }
}
