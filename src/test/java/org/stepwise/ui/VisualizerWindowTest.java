package org.stepwise.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.event.Event;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.robot.Motion;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.ExplanationFormatter;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageView;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.viz.Cell;
import org.stepwise.viz.HeatmapView;

/** The visualizer window on small random pre-LN and post-LN models, driven by keyboard, mouse and selectors. */
@ExtendWith(ApplicationExtension.class)
class VisualizerWindowTest {

    static final Path SHOTS = Path.of("target", "stage-shots");
    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);

    private Stage stage;
    private VisualizerViewModel viewModel;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
        this.stage = stage;
    }

    @AfterEach
    void close() {
        if (viewModel != null) {
            viewModel.close();
        }
    }

    private void open(LoadedModel model, String sentence, FxRobot robot) throws TimeoutException {
        robot.interact(() -> {
            viewModel = new VisualizerViewModel(model, ENGLISH, sentence);
            window = WindowModels.open(stage, viewModel);
        });
        awaitTrace();
    }

    /** Waits until the trace of the current sentence is on screen. */
    private void awaitTrace() throws TimeoutException {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !viewModel.busyProperty().get()
                && viewModel.contextProperty().get() != null
                && viewModel.preparedProperty().get().text().equals(viewModel.sentenceProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** A key pressed while {@code target} has the focus, as the keyboard would deliver it. */
    private void press(FxRobot robot, Node target, KeyCode code) {
        robot.interact(() -> {
            target.requestFocus();
            Event.fireEvent(target, new KeyEvent(KeyEvent.KEY_PRESSED, "", "", code, false, false, false, false));
        });
    }

    private <T extends Node> T find(FxRobot robot, String id, Class<T> type) {
        return robot.lookup("#" + id).queryAs(type);
    }

    @ParameterizedTest
    @EnumSource(value = ModelConfig.Norm.class)
    void spaceStepsThroughEveryStageInTheModelsOrderAndWritesAPictureOfEach(ModelConfig.Norm norm, FxRobot robot)
            throws Exception {
        LoadedModel model = WindowModels.model(norm, 3);
        open(model, "the cat sat", robot);
        List<org.stepwise.pipeline.Stage> stages = Pipeline.stages(model.config());
        assertEquals(stages, viewModel.stagesProperty().get());
        Files.createDirectories(SHOTS);
        Node head = find(robot, "head", ComboBox.class);
        for (int index = 0; index < stages.size(); index++) {
            org.stepwise.pipeline.Stage expected = stages.get(index);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(expected, viewModel.stageProperty().get(), "stage " + index);
            Label item = find(robot, "stage-" + index, Label.class);
            assertTrue(item.getStyleClass().contains("stage-current"), "the strip highlights stage " + index);
            StageContext context = viewModel.contextProperty().get();
            assertEquals(expected, context.stage());
            String name = ENGLISH.getString(expected.kind().bundleKey());
            if (window.root().getCenter() instanceof javafx.scene.layout.StackPane host
                    && host.getChildren().get(0) == window.generalPanel().node()) {
                String title = find(robot, "stage-title", Label.class).getText();
                assertTrue(title.startsWith(name), title + " names " + name);
                checkHeatmapsShowTheStagesTensors(context);
            }
            writeShot(window.root(), String.format("%s-%02d-%s%s", norm.name().toLowerCase(Locale.ROOT), index,
                    expected.kind().name().toLowerCase(Locale.ROOT), expected.block() >= 0 ? "-b" + (expected.block() + 1) : ""));
            press(robot, head, KeyCode.SPACE);      // focus on a selector: Space still steps
        }
        assertEquals(stages.size() - 1, viewModel.stageIndexProperty().get(), "Space stops at the last stage");
        press(robot, window.root(), KeyCode.HOME);
        assertEquals(0, viewModel.stageIndexProperty().get());
        press(robot, window.root(), KeyCode.END);
        assertEquals(stages.size() - 1, viewModel.stageIndexProperty().get());
        press(robot, window.root(), KeyCode.LEFT);
        assertEquals(stages.size() - 2, viewModel.stageIndexProperty().get());
        TextField sentence = find(robot, "sentence", TextField.class);
        press(robot, sentence, KeyCode.HOME);
        assertEquals(stages.size() - 2, viewModel.stageIndexProperty().get(), "keys in the sentence field edit text");
    }

    /** Every tensor of the stage view is a heatmap of its real shape (vocabularies here are small). */
    private void checkHeatmapsShowTheStagesTensors(StageContext context) {
        if (context.run() == null) {
            return;
        }
        StageView view = StageView.of(context.model().config(), context.stage(), context.head(),
                context.run().tokens(), context.sampling());
        for (StageTensor tensor : view.tensors()) {
            HeatmapView heatmap = window.generalPanel().heatmap(tensor.letter());
            assertNotNull(heatmap, tensor.letter());
            assertEquals(tensor.rows(), heatmap.rowCount(), tensor.letter());
            assertEquals(tensor.columns(), heatmap.columnCount(), tensor.letter());
            assertTrue(heatmap.getScene() != null, tensor.letter() + " is on screen");
        }
    }

    static void writeShot(Node node, String name) throws IOException {
        var image = WaitForAsyncUtils.asyncFx(() -> node.snapshot(null, null));
        try {
            ImageIO.write(SwingFXUtils.fromFXImage(image.get(), null), "png", SHOTS.resolve(name + ".png").toFile());
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IOException(e);
        }
    }

    @Test
    void blockHeadAndTokenSelectorsMoveTheStageAndHighlightTheTokenEverywhere(FxRobot robot) throws Exception {
        LoadedModel model = WindowModels.model(ModelConfig.Norm.PRE_LN, 5);
        open(model, "a dog sat", robot);
        robot.interact(() -> viewModel.openStage(org.stepwise.pipeline.Stage.of(
                org.stepwise.pipeline.Stage.Kind.ATTENTION_SOFTMAX, 0), 0));
        @SuppressWarnings("unchecked")
        ComboBox<Integer> block = find(robot, "block", ComboBox.class);
        @SuppressWarnings("unchecked")
        ComboBox<Integer> head = find(robot, "head", ComboBox.class);
        @SuppressWarnings("unchecked")
        ComboBox<Integer> token = find(robot, "token", ComboBox.class);
        assertEquals(0, block.getValue());
        robot.interact(() -> block.setValue(1));
        assertEquals(org.stepwise.pipeline.Stage.of(org.stepwise.pipeline.Stage.Kind.ATTENTION_SOFTMAX, 1),
                viewModel.stageProperty().get(), "the block selector keeps the kind of stage");
        robot.interact(() -> head.setValue(2));
        StageContext context = viewModel.contextProperty().get();
        assertEquals(2, context.head());
        HeatmapView pattern = find(robot, "attention-pattern", HeatmapView.class);   // the attention panel's A
        assertSame(pattern.getScene(), window.root().getScene(), "the attention panel is on screen");
        SentenceTrace run = context.run();
        Cell cell = new Cell(2, 1);
        robot.moveTo(centre(pattern, cell), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        double expected = run.trace().get(HookKey.of(Hook.PATTERN, 1, 2), 2, 1);
        String explanation = find(robot, "explanation", Label.class).getText();
        assertTrue(explanation.endsWith("= " + ExplanationFormatter.number(expected)),
                explanation + " ends with block 2, head 3's A[2,1] = " + expected);

        robot.interact(() -> token.setValue(1));
        assertEquals(1, viewModel.selectedTokenProperty().get());
        for (String id : List.of("attention-scores", "attention-pattern")) {
            assertEquals(1, find(robot, id, HeatmapView.class).highlightedRowProperty().get(), id);
        }
        press(robot, window.root(), KeyCode.RIGHT);                         // Weighted sum: A, V, Z
        for (String letter : List.of("A", "V", "Z")) {
            assertEquals(1, window.generalPanel().heatmap(letter).highlightedRowProperty().get(), letter);
        }
        press(robot, window.root(), KeyCode.DIGIT1);
        assertEquals(org.stepwise.pipeline.Stage.of(org.stepwise.pipeline.Stage.Kind.WEIGHTED_SUM, 0),
                viewModel.stageProperty().get(), "digit 1 jumps to block 1, same kind of stage");
        assertEquals(0, block.getValue());
        press(robot, window.root(), KeyCode.DIGIT9);
        assertEquals(0, viewModel.currentBlock(), "a block the model lacks is ignored");
        press(robot, window.root(), KeyCode.HOME);
        press(robot, window.root(), KeyCode.DIGIT2);
        assertEquals(1, viewModel.currentBlock(), "from outside the blocks a digit opens the block's first stage");
    }

    @Test
    void hoveringTheSpecialPanelsHeatmapsWritesTheExplanationLine(FxRobot robot) throws Exception {
        LoadedModel model = WindowModels.model(ModelConfig.Norm.PRE_LN, 17);
        open(model, "a cat sat", robot);
        robot.interact(() -> viewModel.openStage(org.stepwise.pipeline.Stage.of(
                org.stepwise.pipeline.Stage.Kind.TOKEN_EMBEDDING), 0));
        Label explanation = find(robot, "explanation", Label.class);
        String hint = ENGLISH.getString("ui.explanation.hint");
        assertEquals(hint, explanation.getText());
        SentenceTrace run = viewModel.runProperty().get();
        int position = 2;
        int column = 4;
        int id = run.id(position);
        double embedded = model.parameters().get(org.stepwise.model.ParameterLayout.TOKEN_EMBEDDING).get(id, column);
        HeatmapView lookup = find(robot, "embedding-result", HeatmapView.class);
        robot.moveTo(centre(lookup, new Cell(position, column)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(explanation.getText().contains("W_E[" + id + "," + column + "] = " + ExplanationFormatter.number(embedded)),
                explanation.getText() + " gives W_E[" + id + "," + column + "] = " + embedded);
        robot.clickOn(centre(lookup, new Cell(position, column)), Motion.DIRECT);
        String pinned = explanation.getText();

        press(robot, window.root(), KeyCode.RIGHT);                                // Position
        assertEquals(hint, explanation.getText(), "another panel starts with the hint");
        double added = model.parameters().get(org.stepwise.model.ParameterLayout.POSITION_EMBEDDING).get(position, column);
        HeatmapView sum = find(robot, "position-x", HeatmapView.class);
        robot.moveTo(centre(sum, new Cell(position, column)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(explanation.getText().endsWith("= " + ExplanationFormatter.number(embedded + added)),
                explanation.getText() + " ends with x_tok + p = " + (embedded + added));

        press(robot, window.root(), KeyCode.LEFT);                                 // back to the embedding
        assertEquals(pinned, explanation.getText(), "the embedding's pinned cell is explained again");
        press(robot, window.root(), KeyCode.RIGHT);
        press(robot, window.root(), KeyCode.RIGHT);                                // LayerNorm 1: the general panel
        List<javafx.scene.Node> shown = ((javafx.scene.layout.StackPane) window.root().getCenter()).getChildren()
                .stream().filter(javafx.scene.Node::isVisible).toList();
        assertEquals(List.of(window.generalPanel().node()), shown, "only the general panel is visible");
        assertEquals(hint, explanation.getText());
    }

    @ParameterizedTest
    @EnumSource(value = ModelConfig.Norm.class)
    void hoveringAScoreExplainsItWithTheTracesQueryAndKey(ModelConfig.Norm norm, FxRobot robot) throws Exception {
        LoadedModel model = WindowModels.model(norm, 7);
        open(model, "the mat on a log", robot);
        robot.interact(() -> viewModel.openStage(org.stepwise.pipeline.Stage.of(
                org.stepwise.pipeline.Stage.Kind.SCORES, 1), 3));
        SentenceTrace run = viewModel.runProperty().get();
        int row = run.tokens() - 1;
        int column = 2;
        int headDim = model.config().headDim();
        double dot = 0;
        for (int d = 0; d < headDim; d++) {
            dot += run.trace().get(HookKey.of(Hook.Q, 1, 3), row, d) * run.trace().get(HookKey.of(Hook.K, 1, 3), column, d);
        }
        double score = dot / Math.sqrt(headDim);
        assertEquals(score, run.trace().get(HookKey.of(Hook.ATTN_SCORES, 1, 3), row, column), 1e-12);

        HeatmapView scores = window.generalPanel().heatmap("S");
        robot.interact(() -> window.generalPanel().scrollTo("S", new Cell(row, column)));
        robot.moveTo(centre(scores, new Cell(row, column)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        Label explanation = find(robot, "explanation", Label.class);
        String text = explanation.getText();
        assertTrue(text.endsWith("= " + ExplanationFormatter.number(score)), text + " ends with " + score);
        assertTrue(text.contains("/" + ExplanationFormatter.number(Math.sqrt(headDim))), text + " divides by √d");
        double largest = 0;
        int largestIndex = 0;
        for (int d = 0; d < headDim; d++) {
            double product = run.trace().get(HookKey.of(Hook.Q, 1, 3), row, d)
                    * run.trace().get(HookKey.of(Hook.K, 1, 3), column, d);
            if (Math.abs(product) > Math.abs(largest)) {
                largest = product;
                largestIndex = d;
            }
        }
        String firstFactor = ExplanationFormatter.number(run.trace().get(HookKey.of(Hook.Q, 1, 3), row, largestIndex));
        assertTrue(text.contains("(" + firstFactor), text + " starts the sum with the largest product, q[" + largestIndex + "]");

        robot.clickOn(centre(scores, new Cell(row, column)), Motion.DIRECT);
        HeatmapView query = window.generalPanel().heatmap("Q");
        robot.moveTo(query.localToScreen(query.getLayoutBounds().getMaxX() + 40, 0), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(text, explanation.getText(), "the pinned explanation stays when the mouse leaves");
        press(robot, window.root(), KeyCode.RIGHT);
        HeatmapView masked = window.generalPanel().heatmap("S_masked");
        robot.interact(() -> window.generalPanel().scrollTo("S_masked", new Cell(0, 1)));
        robot.moveTo(centre(masked, new Cell(0, 1)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        String maskedWords = I18n.format(ENGLISH, "pipeline.explain.masked", 0, 1);
        assertTrue(explanation.getText().contains(maskedWords), explanation.getText() + " says: " + maskedWords);
    }

    @Test
    void emptyTooLongAndUnknownSentencesShowTheirNoticeAndEveryStageStillOpens(FxRobot robot) throws Exception {
        LoadedModel model = WindowModels.model(ModelConfig.Norm.PRE_LN, 11);
        open(model, "", robot);
        Label notices = find(robot, "notices", Label.class);
        assertEquals(ENGLISH.getString("pipeline.notice.empty"), notices.getText());
        stepThroughEveryStage(robot);
        assertEquals(null, viewModel.runProperty().get());

        String longSentence = "the cat sat on the mat and the dog sat on the log";
        robot.interact(() -> viewModel.sentenceProperty().set(longSentence));
        awaitTrace();
        PreparedSentence prepared = viewModel.preparedProperty().get();
        assertEquals(WindowModels.CONTEXT, viewModel.runProperty().get().tokens());
        assertEquals(I18n.format(ENGLISH, "pipeline.notice.trimmedKeptLast", longSentence.length(), WindowModels.CONTEXT),
                notices.getText());
        assertTrue(prepared.trimmed());
        stepThroughEveryStage(robot);

        robot.interact(() -> viewModel.sentenceProperty().set("the 猫 sat"));
        awaitTrace();
        assertEquals(ENGLISH.getString("pipeline.notice.unknownTokens"), notices.getText());
        assertTrue(viewModel.preparedProperty().get().isUnknownAt(4));
        stepThroughEveryStage(robot);
        assertTrue(notices.isVisible());

        robot.interact(() -> viewModel.sentenceProperty().set("the cat"));
        awaitTrace();
        assertFalse(notices.isVisible(), "a plain sentence has no notice");
    }

    private void stepThroughEveryStage(FxRobot robot) {
        press(robot, window.root(), KeyCode.HOME);
        for (int i = 0; i < viewModel.stagesProperty().get().size(); i++) {
            assertSame(viewModel.stagesProperty().get().get(i), viewModel.contextProperty().get().stage());
            press(robot, window.root(), KeyCode.RIGHT);
        }
    }

    @Test
    void liveWeightsAreShownUnlessFrozen(FxRobot robot) throws Exception {
        LoadedModel model = WindowModels.model(ModelConfig.Norm.POST_LN, 13);
        open(model, "the dog", robot);
        assertSame(model.parameters(), viewModel.weightsProperty().get());
        Parameters trained = WindowModels.perturbed(model.config(), 99);
        for (int i = 0; i < 20; i++) {
            viewModel.setLiveWeights(i == 19 ? trained : WindowModels.perturbed(model.config(), 100 + i));
        }
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> viewModel.weightsProperty().get() == trained);
        WaitForAsyncUtils.waitForFxEvents();
        assertSame(trained, viewModel.contextProperty().get().weights(), "the newest of many live weights is shown");
        double logit = viewModel.runProperty().get().trace().get(HookKey.of(Hook.LOGITS), 0, 0);
        assertEquals(org.stepwise.model.Trace.record(new org.stepwise.model.Transformer(model.config(), trained),
                viewModel.runProperty().get().ids()).get(HookKey.of(Hook.LOGITS), 0, 0), logit, 0.0);

        robot.clickOn("#freeze");
        assertTrue(viewModel.frozenProperty().get());
        Parameters later = WindowModels.perturbed(model.config(), 200);
        viewModel.setLiveWeights(later);
        robot.interact(() -> viewModel.sentenceProperty().set("the dog sat"));
        awaitTrace();
        Thread.sleep(3 * VisualizerViewModel.LIVE_REFRESH_MILLIS);
        WaitForAsyncUtils.waitForFxEvents();
        assertSame(trained, viewModel.weightsProperty().get(), "frozen: a new sentence is computed with the same weights");
        robot.clickOn("#freeze");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> viewModel.weightsProperty().get() == later);
    }

    private static Point2D centre(HeatmapView heatmap, Cell cell) {
        Bounds bounds = heatmap.cellBounds(cell);
        return heatmap.localToScreen(bounds.getCenterX(), bounds.getCenterY());
    }

    @SuppressWarnings("unused")
    private BorderPane root() {
        return window.root();
    }
}
