package org.stepwise.ui.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.robot.Motion;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.ExplanationFormatter;
import org.stepwise.pipeline.Stage.Kind;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.BpeTokenizer;
import org.stepwise.tokenizer.ByteLevelBpeTokenizer;
import org.stepwise.tokenizer.Gpt2TestFolder;
import org.stepwise.viz.Cell;
import org.stepwise.viz.HeatmapView;
import org.stepwise.viz.ProbabilityBars;

/**
 * Hovering and pinning the numbers of the special stage panels: each line asked of the window names the
 * number the test computes here from the weights or the trace.
 */
@ExtendWith(ApplicationExtension.class)
class CellExplanationsTest {

    private Stage window;

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
        this.window = stage;
        stage.setScene(new Scene(new VBox(), 1100, 800));
        stage.show();
    }

    private StagePanel open(FxRobot robot, Kind kind, StageContext context) {
        StagePanel panel = StagePanels.special(kind).orElseThrow();
        robot.interact(() -> {
            VBox.setVgrow(panel.node(), javafx.scene.layout.Priority.ALWAYS);
            window.getScene().setRoot(new VBox(panel.node()));
            panel.show(context);
        });
        WaitForAsyncUtils.waitForFxEvents();
        return panel;
    }

    private static org.stepwise.pipeline.Stage stage(Kind kind) {
        return org.stepwise.pipeline.Stage.of(kind);
    }

    /** The line says the cell's value is {@code expected}: at its end, or before the words in parentheses. */
    private static void assertExplains(String line, double expected) {
        String number = ExplanationFormatter.number(expected);
        assertTrue(line.endsWith("= " + number) || line.contains("= " + number + "  ("),
                "\"" + line + "\" gives the value " + expected);
    }

    /** Scrolls the panel's scroll pane so the cell is in view, then moves the mouse onto it. */
    private static void hover(FxRobot robot, HeatmapView heatmap, Cell cell) {
        robot.interact(() -> reveal(heatmap, heatmap.cellBounds(cell)));
        WaitForAsyncUtils.waitForFxEvents();
        robot.moveTo(centre(heatmap, cell), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static void reveal(Node node, Bounds local) {
        Parent parent = node.getParent();
        while (parent != null && !(parent instanceof ScrollPane)) {
            parent = parent.getParent();
        }
        if (parent instanceof ScrollPane scroll) {
            Node content = scroll.getContent();
            Bounds inContent = content.sceneToLocal(node.localToScene(local));
            double overflow = content.getLayoutBounds().getHeight() - scroll.getViewportBounds().getHeight();
            if (overflow > 0) {
                double top = inContent.getCenterY() - scroll.getViewportBounds().getHeight() / 2;
                scroll.setVvalue(Math.max(0, Math.min(1, top / overflow)));
            }
            scroll.layout();
        }
    }

    private static Point2D centre(HeatmapView heatmap, Cell cell) {
        Bounds bounds = heatmap.cellBounds(cell);
        return heatmap.localToScreen(bounds.getCenterX(), bounds.getCenterY());
    }

    @Test
    void embeddingCellsExplainTheTableTheLookupAndTheOneHotProduct(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        LoadedModel model = StageFixtures.model(StageFixtures.smallConfig(tokenizer), tokenizer, 3);
        StageFixtures.RecordingActions actions = new StageFixtures.RecordingActions();
        StageContext context = StageFixtures.context(model, "the cat sat on the mat", stage(Kind.TOKEN_EMBEDDING), 0, -1,
                SamplingSettings.PLAIN, actions);
        open(robot, Kind.TOKEN_EMBEDDING, context);
        DMatrixRMaj table = model.parameters().get(ParameterLayout.TOKEN_EMBEDDING);        // [V, C]
        int[] ids = context.run().ids();
        int position = 1;
        int column = 3;

        HeatmapView tableView = robot.lookup("#embedding-table").queryAs(HeatmapView.class);
        hover(robot, tableView, new Cell(ids[position], column));
        String line = actions.explanation();
        assertTrue(line.startsWith(ParameterLayout.TOKEN_EMBEDDING + "[" + ids[position] + "," + column + "]"), line);
        assertExplains(line, table.get(ids[position], column));

        HeatmapView result = robot.lookup("#embedding-result").queryAs(HeatmapView.class);
        hover(robot, result, new Cell(position, column));
        String lookup = actions.explanation();
        assertTrue(lookup.contains("W_E[" + ids[position] + "," + column + "]"), lookup);
        assertExplains(lookup, table.get(ids[position], column));

        robot.clickOn(centre(result, new Cell(position, column)), Motion.DIRECT);
        hover(robot, tableView, new Cell(0, 0));
        assertEquals(lookup, actions.explanation(), "a pinned cell beats the hovered one");
        robot.moveTo(new Point2D(window.getX() + 5, window.getY() + 5), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(lookup, actions.explanation(), "the pinned explanation stays when the mouse leaves");
        robot.clickOn(centre(result, new Cell(position, column)), Motion.DIRECT);
        robot.moveTo(new Point2D(window.getX() + 5, window.getY() + 5), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", actions.explanation(), "unpinned, with nothing hovered, the line is cleared");

        robot.clickOn("#embedding-as-product");
        WaitForAsyncUtils.waitForFxEvents();
        int[] distinct = java.util.Arrays.stream(ids).distinct().sorted().toArray();
        int oneHotColumn = java.util.Arrays.binarySearch(distinct, ids[position]);
        HeatmapView oneHot = robot.lookup("#embedding-onehot").queryAs(HeatmapView.class);
        hover(robot, oneHot, new Cell(position, oneHotColumn));
        String one = actions.explanation();
        assertTrue(one.startsWith("onehot[" + position + "," + ids[position] + "]"), one);
        assertExplains(one, 1.0);
        int otherColumn = oneHotColumn == 0 ? 1 : 0;
        hover(robot, oneHot, new Cell(position, otherColumn));
        assertTrue(actions.explanation().startsWith("onehot[" + position + "," + distinct[otherColumn] + "]"));
        assertExplains(actions.explanation(), 0.0);

        HeatmapView rows = robot.lookup("#embedding-product-table").queryAs(HeatmapView.class);
        hover(robot, rows, new Cell(oneHotColumn, column));
        assertTrue(actions.explanation().startsWith(ParameterLayout.TOKEN_EMBEDDING + "[" + ids[position] + "," + column + "]"),
                actions.explanation());
        assertExplains(actions.explanation(), table.get(ids[position], column));
        HeatmapView product = robot.lookup("#embedding-product-result").queryAs(HeatmapView.class);
        hover(robot, product, new Cell(position, column));
        assertExplains(actions.explanation(), table.get(ids[position], column));
    }

    @Test
    void aWindowOfGpt2sEmbeddingExplainsTheRealRowOfEachCell(FxRobot robot) throws Exception {
        ByteLevelBpeTokenizer tokenizer = Gpt2TestFolder.shared();
        LoadedModel model = StageFixtures.model(ModelConfig.gpt2Like(tokenizer.vocabSize(), 16, 1, 2, 8), tokenizer, 4);
        StageFixtures.RecordingActions actions = new StageFixtures.RecordingActions();
        StageContext context = StageFixtures.context(model, "The cat sat on the mat", stage(Kind.TOKEN_EMBEDDING), 0, 2,
                SamplingSettings.PLAIN, actions);
        EmbeddingPanel panel = (EmbeddingPanel) open(robot, Kind.TOKEN_EMBEDDING, context);
        int first = panel.windowStart();
        int id = context.run().id(2);
        assertTrue(first > 0 && id >= first, "the window starts inside the vocabulary, at " + first);
        int column = 5;
        hover(robot, panel.table().heatmap(), new Cell(id - first, column));
        String line = actions.explanation();
        assertTrue(line.startsWith(ParameterLayout.TOKEN_EMBEDDING + "[" + id + "," + column + "]"), line);
        assertExplains(line, model.parameters().get(ParameterLayout.TOKEN_EMBEDDING).get(id, column));
    }

    @Test
    void positionCellsExplainTheLearnedRowAndTheSum(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        LoadedModel model = StageFixtures.model(StageFixtures.smallConfig(tokenizer), tokenizer, 5);
        StageFixtures.RecordingActions actions = new StageFixtures.RecordingActions();
        StageContext context = StageFixtures.context(model, "the cat sat on the mat", stage(Kind.POSITION), 0, -1,
                SamplingSettings.PLAIN, actions);
        open(robot, Kind.POSITION, context);
        int position = 2;
        int column = 7;
        int id = context.run().id(position);
        double positionValue = model.parameters().get(ParameterLayout.POSITION_EMBEDDING).get(position, column);
        double tokenValue = model.parameters().get(ParameterLayout.TOKEN_EMBEDDING).get(id, column);

        hover(robot, robot.lookup("#position-p").queryAs(HeatmapView.class), new Cell(position, column));
        assertTrue(actions.explanation().contains("W_P[" + position + "," + column + "]"), actions.explanation());
        assertExplains(actions.explanation(), positionValue);
        hover(robot, robot.lookup("#position-x-tok").queryAs(HeatmapView.class), new Cell(position, column));
        assertExplains(actions.explanation(), tokenValue);
        hover(robot, robot.lookup("#position-x").queryAs(HeatmapView.class), new Cell(position, column));
        String sum = actions.explanation();
        assertTrue(sum.contains(ExplanationFormatter.number(tokenValue) + " + " + ExplanationFormatter.number(positionValue)),
                sum + " adds x_tok and p");
        assertExplains(sum, tokenValue + positionValue);
        assertEquals(tokenValue + positionValue,
                context.run().trace().get(HookKey.of(Hook.RESID_PRE, 0), position, column), 1e-12);
    }

    @Test
    void attentionCellsExplainTheScaledDotAndTheSoftmaxOfThisHead(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        ModelConfig config = StageFixtures.smallConfig(tokenizer);
        LoadedModel model = StageFixtures.model(config, tokenizer, 7);
        StageFixtures.RecordingActions actions = new StageFixtures.RecordingActions();
        int layer = 1;
        int head = 2;
        StageContext context = StageFixtures.context(model, "the cat sat on the mat",
                org.stepwise.pipeline.Stage.of(Kind.ATTENTION_SOFTMAX, layer), head, -1, SamplingSettings.PLAIN, actions);
        open(robot, Kind.ATTENTION_SOFTMAX, context);
        int row = 3;
        int column = 1;
        DMatrixRMaj query = context.run().trace().get(HookKey.of(Hook.Q, layer, head));   // [T, D]
        DMatrixRMaj key = context.run().trace().get(HookKey.of(Hook.K, layer, head));     // [T, D]
        double[] scores = new double[row + 1];
        for (int j = 0; j <= row; j++) {
            double dot = 0;
            for (int d = 0; d < config.headDim(); d++) {
                dot += query.get(row, d) * key.get(j, d);
            }
            scores[j] = dot / Math.sqrt(config.headDim());
        }
        double max = java.util.Arrays.stream(scores).max().orElseThrow();
        double total = 0;
        for (double score : scores) {
            total += Math.exp(score - max);
        }
        double weight = Math.exp(scores[column] - max) / total;

        HeatmapView scoreView = robot.lookup("#attention-scores").queryAs(HeatmapView.class);
        hover(robot, scoreView, new Cell(row, column));
        assertTrue(actions.explanation().startsWith("score[" + row + "," + column + "]"), actions.explanation());
        assertExplains(actions.explanation(), scores[column]);
        hover(robot, robot.lookup("#attention-pattern").queryAs(HeatmapView.class), new Cell(row, column));
        assertExplains(actions.explanation(), weight);
        assertEquals(weight, context.run().trace().get(HookKey.of(Hook.PATTERN, layer, head), row, column), 1e-12);
        hover(robot, scoreView, new Cell(column, row));
        assertExplains(actions.explanation(), Double.NEGATIVE_INFINITY);
    }

    @Test
    void hoveringABarExplainsItsProbabilityAndAPinnedBarFollowsTheTemperature(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        LoadedModel model = StageFixtures.model(StageFixtures.smallConfig(tokenizer), tokenizer, 8);
        StageFixtures.RecordingActions actions = new StageFixtures.RecordingActions();
        StageContext context = StageFixtures.context(model, "the cat sat on the", stage(Kind.OUTPUT_SOFTMAX), 0, -1,
                SamplingSettings.PLAIN, actions);
        OutputPanel panel = (OutputPanel) open(robot, Kind.OUTPUT_SOFTMAX, context);
        ProbabilityBars bars = robot.lookup("#output-bars").queryAs(ProbabilityBars.class);
        DMatrixRMaj logits = context.run().trace().logits();                                  // [T, V]
        int last = logits.numRows - 1;
        int bar = 2;
        int id = panel.distribution().top().get(bar).id();

        robot.moveTo(barCentre(bars, bar), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        String line = actions.explanation();
        assertTrue(line.startsWith("P[" + last + "," + id + "]"), line);
        assertTrue(line.contains("/1)"), line + " divides by T = 1");
        assertExplains(line, softmax(logits, last, id, 1.0));

        robot.clickOn(barCentre(bars, bar), Motion.DIRECT);
        Slider slider = robot.lookup("#output-temperature").queryAs(Slider.class);
        robot.interact(() -> slider.setValue(Math.log10(3.0)));
        WaitForAsyncUtils.waitForFxEvents();
        String hot = actions.explanation();
        assertTrue(hot.startsWith("P[" + last + "," + id + "]"), hot + " still explains the pinned token");
        assertTrue(hot.contains("/3)"), hot + " divides by T = 3");
        assertExplains(hot, softmax(logits, last, id, 3.0));
    }

    /** e^((logit − max)/T)/Σ e^((logitᵥ − max)/T) of one token, from the logits. */
    private static double softmax(DMatrixRMaj logits, int row, int id, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < logits.numCols; v++) {
            max = Math.max(max, logits.get(row, v));
        }
        double total = 0;
        for (int v = 0; v < logits.numCols; v++) {
            total += Math.exp((logits.get(row, v) - max) / temperature);
        }
        return Math.exp((logits.get(row, id) - max) / temperature) / total;
    }

    /** The centre on screen of the track of bar {@code index}. */
    private static Point2D barCentre(ProbabilityBars bars, int index) {
        List<Node> tracks = new ArrayList<>();
        for (Node child : bars.getChildrenUnmodifiable()) {
            if (child.getStyleClass().contains("viz-bar-track")) {
                tracks.add(child);
            }
        }
        Bounds bounds = tracks.get(index).getBoundsInParent();
        return bars.localToScreen(bounds.getCenterX(), bounds.getCenterY());
    }
}
