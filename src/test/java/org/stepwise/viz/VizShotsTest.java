package org.stepwise.viz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.DefaultModel;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Trace;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.train.Dataset;
import org.stepwise.train.LearningRateSchedule;
import org.stepwise.train.Optimizer;
import org.stepwise.train.TrainingLoop;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.UpdateStrategy;

/** Writes a PNG of every widget, showing the default model's real trace of a sentence, to target/viz-shots/. */
@ExtendWith(ApplicationExtension.class)
class VizShotsTest {

    private static final String SENTENCE = "The cat sat on the mat because it was";

    private final StackPane root = new StackPane();

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
        root.setStyle("-fx-background-color: #f7f8fa; -fx-padding: 12;");
        stage.setScene(new Scene(root, 1200, 780));
        stage.show();
    }

    @Test
    void everyWidgetWritesAPicture(FxRobot robot) throws Exception {
        LoadedModel model = DefaultModel.load();
        Tokenizer tokenizer = model.tokenizer();
        Tokenizer.Encoding encoding = tokenizer.encode(SENTENCE);
        int[] ids = encoding.ids();
        Trace trace = Trace.record(new Transformer(model.config(), model.parameters()), ids);
        List<String> tokens = encoding.tokens().stream().map(VizShotsTest::visible).toList();

        HeatmapView scores = heatmap(trace.get(HookKey.of(Hook.ATTN_SCORES, 0, 0)), ColorScale.DIVERGING,
                "Scores Q·Kᵀ/√d   [" + ids.length + "×" + ids.length + "]   block 0, head 0", tokens, tokens);
        robot.interact(() -> {
            scores.cellSizeProperty().set(30);
            scores.highlightedRowProperty().set(3);
        });
        show(robot, scores, "heatmap-scores");

        HeatmapView pattern = heatmap(trace.get(HookKey.of(Hook.PATTERN, 0, 0)), ColorScale.SEQUENTIAL,
                "Softmax pattern   [" + ids.length + "×" + ids.length + "]", tokens, tokens);
        robot.interact(() -> {
            pattern.cellSizeProperty().set(30);
            pattern.pinnedCellProperty().set(new Cell(5, 2));
        });
        show(robot, pattern, "heatmap-pattern");

        DMatrixRMaj residual = trace.get(HookKey.of(Hook.RESID_POST, 1));
        HeatmapView stream = heatmap(residual, ColorScale.DIVERGING,
                "Residual stream after block 1   [" + residual.numRows + "×" + residual.numCols + "]", tokens, null);
        robot.interact(() -> stream.cellSizeProperty().set(14));
        show(robot, stream, "heatmap-residual");
        robot.interact(() -> stream.cellSizeProperty().set(4));
        show(robot, stream, "heatmap-residual-small");

        DMatrixRMaj logits = trace.get(HookKey.of(Hook.LOGITS));
        ProbabilityBars bars = new ProbabilityBars();
        bars.setBars(topProbabilities(logits, tokenizer, 8));
        show(robot, bars, "probability-bars");

        TokenStrip strip = new TokenStrip();
        List<TokenStrip.Chip> chips = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            chips.add(new TokenStrip.Chip(tokens.get(i), ids[i], null, TokenStrip.Chip.Kind.NORMAL));
        }
        Tokenizer.SpecialTokens specials = tokenizer.specials();
        if (specials.unk() >= 0) {
            chips.add(new TokenStrip.Chip("<unk>", specials.unk(), null, TokenStrip.Chip.Kind.UNKNOWN));
        }
        if (specials.eos() >= 0) {
            chips.add(new TokenStrip.Chip("<eos>", specials.eos(), null, TokenStrip.Chip.Kind.SPECIAL));
        }
        strip.setChips(chips);
        strip.setPrefWrapLength(900);
        robot.interact(() -> strip.selectedIndexProperty().set(2));
        show(robot, strip, "token-strip");

        LossChart chart = new LossChart();
        chart.setAxisLabels("iteration", "loss");
        trainAndPlot(tokenizer, chart);
        show(robot, chart, "loss-chart");
        robot.interact(() -> chart.logScaleProperty().set(true));
        show(robot, chart, "loss-chart-log");

        FormulaView formula = new FormulaView(
                "\\mathrm{score}_{ij} = \\frac{q_i \\cdot k_j}{\\sqrt{d}}, \\qquad p_{ij} = \\frac{e^{s_{ij} - m_i}}{\\sum_{j'} e^{s_{ij'} - m_i}}");
        show(robot, formula, "formula");

        for (String name : List.of("heatmap-scores", "heatmap-pattern", "heatmap-residual", "probability-bars",
                "token-strip", "loss-chart", "formula")) {
            assertTrue(Files.size(FxImages.SHOTS.resolve(name + ".png")) > 1000, name);
        }
    }

    private static HeatmapView heatmap(DMatrixRMaj matrix, ColorScale scale, String title, List<String> rowLabels,
            List<String> columnLabels) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> newHeatmap(matrix, scale, title, rowLabels, columnLabels)).get();
    }

    private static HeatmapView newHeatmap(DMatrixRMaj matrix, ColorScale scale, String title, List<String> rowLabels,
            List<String> columnLabels) {
        HeatmapView view = new HeatmapView();
        view.setColorScale(scale);
        view.setValues(Arrays.copyOf(matrix.data, matrix.numRows * matrix.numCols), matrix.numRows, matrix.numCols);
        view.setTitle(title);
        view.setRowLabels(rowLabels);
        view.setColumnLabels(columnLabels);
        return view;
    }

    private void show(FxRobot robot, Node node, String name) throws Exception {
        robot.interact(() -> root.getChildren().setAll(new StackPane(node)));
        if (node instanceof javafx.scene.layout.Region region) {
            robot.interact(() -> region.setMaxSize(javafx.scene.layout.Region.USE_PREF_SIZE,
                    javafx.scene.layout.Region.USE_PREF_SIZE));
        }
        FxImages.writePng(node, name);
    }

    /** The eight most likely next tokens after the sentence: softmax of the last row of the logits. */
    private static List<ProbabilityBars.Bar> topProbabilities(DMatrixRMaj logits, Tokenizer tokenizer, int count) {
        int last = logits.numRows - 1;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < logits.numCols; v++) {
            max = Math.max(max, logits.get(last, v));
        }
        double[] probabilities = new double[logits.numCols];
        double sum = 0;
        for (int v = 0; v < logits.numCols; v++) {
            probabilities[v] = Math.exp(logits.get(last, v) - max);
            sum += probabilities[v];
        }
        List<Integer> order = new ArrayList<>();
        for (int v = 0; v < logits.numCols; v++) {
            probabilities[v] /= sum;
            order.add(v);
        }
        order.sort(Comparator.comparingDouble((Integer v) -> probabilities[v]).reversed());
        List<ProbabilityBars.Bar> bars = new ArrayList<>();
        for (int rank = 0; rank < count; rank++) {
            int id = order.get(rank);
            bars.add(new ProbabilityBars.Bar(visible(tokenizer.token(id)), probabilities[id], rank == 0));
        }
        return bars;
    }

    /** Trains a small model on a short repeated text and plots its real train and validation losses. */
    private static void trainAndPlot(Tokenizer tokenizer, LossChart chart) {
        String text = "the cat sat on the mat. the dog sat on the log. a bird sang in the tree. ".repeat(12);
        int[] tokens = tokenizer.encode(text).ids();
        ModelConfig config = ModelConfig.gpt2Like(tokenizer.vocabSize(), 16, 1, 2, 16);
        TrainingSettings settings = new TrainingSettings(4, 3e-3, Optimizer.Kind.ADAMW, 0.01,
                LearningRateSchedule.constant(), 1.0, UpdateStrategy.PER_BATCH, 3, 0.1, 0, 4);
        TrainingLoop loop = TrainingLoop.fresh(config, new Dataset(tokens, 16, 0.1), settings);
        int iterations = 1500;
        double[] xs = new double[iterations];
        double[] ys = new double[iterations];
        List<double[]> validation = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            xs[i] = i + 1;
            ys[i] = loop.stepIteration().loss();
            if ((i + 1) % 50 == 0) {
                validation.add(new double[] {i + 1, loop.validationLoss()});
            }
        }
        chart.setSeries("train", xs, ys);
        chart.setSeries("validation", validation.stream().mapToDouble(point -> point[0]).toArray(),
                validation.stream().mapToDouble(point -> point[1]).toArray());
    }

    private static String visible(String token) {
        return token.replace(' ', '␣').replace("\n", "↵");
    }
}
