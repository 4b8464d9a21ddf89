package org.stepwise.ui.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.ParameterCount;
import org.stepwise.pipeline.Stage.Kind;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.BpeTokenizer;
import org.stepwise.tokenizer.ByteLevelBpeTokenizer;
import org.stepwise.tokenizer.Gpt2TestFolder;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.viz.HeatmapView;
import org.stepwise.viz.ProbabilityBars;
import org.stepwise.viz.TokenStrip;

/** Each special stage panel alone in a window, fed a real traced sentence of a small random model. */
@ExtendWith(ApplicationExtension.class)
class StagePanelsTest {

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
        place(robot, panel, context);
        return panel;
    }

    private void place(FxRobot robot, StagePanel panel, StageContext context) {
        robot.interact(() -> {
            VBox.setVgrow(panel.node(), javafx.scene.layout.Priority.ALWAYS);
            window.getScene().setRoot(new VBox(panel.node()));
            panel.show(context);
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static org.stepwise.pipeline.Stage stage(Kind kind) {
        return org.stepwise.pipeline.Stage.of(kind);
    }

    @Test
    void tokensShowChipsDecodeUnknownsAndReplayTheMergesOfTheClickedToken(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        LoadedModel model = StageFixtures.model(StageFixtures.smallConfig(tokenizer), tokenizer, 1);
        StageFixtures.RecordingActions actions = new StageFixtures.RecordingActions();
        String text = "the cats sat on the café mat";
        StageContext context = StageFixtures.context(model, text, stage(Kind.TOKENS), 0, -1, SamplingSettings.PLAIN, actions);
        TokensPanel panel = (TokensPanel) open(robot, Kind.TOKENS, context);

        TokenStrip chips = robot.lookup("#token-chips").queryAs(TokenStrip.class);
        int[] ids = context.sentence().ids();
        assertEquals(ids.length, chips.getChips().size());
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], chips.getChips().get(i).id());
        }
        assertTrue(chips.getChips().stream().anyMatch(c -> c.kind() == TokenStrip.Chip.Kind.UNKNOWN
                && c.tooltip().contains("“é”")), "the é of café is an <unk> chip that says so");
        String decoded = robot.lookup("#tokens-decoded").queryAs(Label.class).getText();
        assertTrue(decoded.contains(tokenizer.decode(ids)), decoded);
        assertTrue(robot.lookup("#tokens-roundtrip").queryAs(Label.class).getText().contains("not"));

        int cats = context.sentence().encoding().tokens().indexOf("cats</w>") >= 0
                ? context.sentence().encoding().tokens().indexOf("cats</w>") : 1;
        robot.clickOn(robot.lookup("#token-chips").queryAs(TokenStrip.class).getChildren().get(cats));
        assertEquals(List.of(cats), actions.selected);
        MergeReplay replay = panel.replay();
        assertNotNull(replay);
        assertEquals("cats", replay.word());
        BpeTokenizer.WordTrace trace = tokenizer.traceWord("cats");
        assertEquals(trace.steps().size(), replay.steps().size());
        assertEquals(trace.tokens().stream().map(t -> TokenDisplay.ofText(t).text()).toList(),
                replay.finalSymbols().stream().map(MergeReplay.Symbol::shown).toList());
        TokenStrip symbols = robot.lookup("#merge-symbols").queryAs(TokenStrip.class);
        robot.clickOn("#merge-first");
        assertEquals(trace.initialSymbols().size(), symbols.getChips().size());
        robot.clickOn("#merge-next");
        assertEquals(trace.steps().get(0).after().size(), symbols.getChips().size());
        assertEquals(trace.steps().get(0).after().indexOf(trace.steps().get(0).merge().token()),
                symbols.selectedIndexProperty().get());
        robot.clickOn("#merge-last");
        StageFixtures.writePng(window.getScene().getRoot(), "tokens-bpe");
    }

    @Test
    void byteLevelTokensShowPartialBytesAndTheirReplayEndsInGpt2sTokens(FxRobot robot) throws Exception {
        ByteLevelBpeTokenizer tokenizer = Gpt2TestFolder.shared();
        LoadedModel model = StageFixtures.model(ModelConfig.gpt2Like(tokenizer.vocabSize(), 16, 1, 2, 8), tokenizer, 2);
        String text = "Hello 你好 world<|endoftext|>";
        StageContext context = StageFixtures.context(model, text, stage(Kind.TOKENS), 0, -1, SamplingSettings.PLAIN,
                new StageFixtures.RecordingActions());
        TokensPanel panel = (TokensPanel) open(robot, Kind.TOKENS, context);
        TokenStrip chips = robot.lookup("#token-chips").queryAs(TokenStrip.class);
        TokenStrip.Chip partial = chips.getChips().stream().filter(c -> c.kind() == TokenStrip.Chip.Kind.PARTIAL_BYTES)
                .findFirst().orElseThrow();
        assertTrue(partial.text().contains("<e4"), partial.text());
        assertTrue(partial.tooltip().contains("UTF-8"), partial.tooltip());
        assertEquals(TokenStrip.Chip.Kind.SPECIAL, chips.getChips().get(chips.getChips().size() - 1).kind());

        int world = context.sentence().encoding().tokens().indexOf("Ġworld");
        robot.interact(() -> panel.show(StageFixtures.with(context, stage(Kind.TOKENS), 0, world, SamplingSettings.PLAIN)));
        MergeReplay replay = panel.replay();
        assertEquals(" world", replay.word());
        assertEquals(List.of(new MergeReplay.Symbol("␣world", tokenizer.id("Ġworld"))), replay.finalSymbols());
        assertEquals(6, replay.initial().size());
        StageFixtures.writePng(window.getScene().getRoot(), "tokens-byte-level");
    }

    @Test
    void embeddingFramesTheLookedUpRowsAndItsProductEqualsTheLookup(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        LoadedModel model = StageFixtures.model(StageFixtures.smallConfig(tokenizer), tokenizer, 3);
        StageContext context = StageFixtures.context(model, "the cat sat on the mat", stage(Kind.TOKEN_EMBEDDING), 0, 1,
                SamplingSettings.PLAIN, new StageFixtures.RecordingActions());
        EmbeddingPanel panel = (EmbeddingPanel) open(robot, Kind.TOKEN_EMBEDDING, context);
        int[] ids = context.run().ids();
        assertEquals(tokenizer.vocabSize(), panel.table().heatmap().rowCount());
        assertEquals(Arrays.toString(ids), Arrays.toString(panel.table().markedRows()));
        assertEquals(ids[1], panel.table().heatmap().highlightedRowProperty().get());
        assertEquals(1, robot.lookup("#embedding-result").queryAs(HeatmapView.class).highlightedRowProperty().get());
        StageFixtures.writePng(window.getScene().getRoot(), "embedding-lookup");

        robot.clickOn("#embedding-as-product");
        assertTrue(robot.lookup("#embedding-product").query().isVisible());
        assertFalse(robot.lookup("#embedding-lookup").query().isVisible());
        assertEquals(0.0, panel.productMismatch());
        long distinct = Arrays.stream(ids).distinct().count();
        assertEquals(distinct, robot.lookup("#embedding-onehot").queryAs(HeatmapView.class).columnCount());
        StageFixtures.writePng(window.getScene().getRoot(), "embedding-product");
    }

    @Test
    void gpt2SizedEmbeddingShowsAWindowThatFollowsTheSelectedToken(FxRobot robot) throws Exception {
        ByteLevelBpeTokenizer tokenizer = Gpt2TestFolder.shared();
        LoadedModel model = StageFixtures.model(ModelConfig.gpt2Like(tokenizer.vocabSize(), 16, 1, 2, 8), tokenizer, 4);
        StageContext context = StageFixtures.context(model, "The cat sat on the mat", stage(Kind.TOKEN_EMBEDDING), 0, -1,
                SamplingSettings.PLAIN, new StageFixtures.RecordingActions());
        EmbeddingPanel panel = (EmbeddingPanel) open(robot, Kind.TOKEN_EMBEDDING, context);
        assertEquals(EmbeddingPanel.WINDOW_ROWS, panel.table().heatmap().rowCount());
        int[] ids = context.run().ids();
        for (int position = 0; position < ids.length; position++) {
            int chosen = position;
            long start = System.nanoTime();
            robot.interact(() -> panel.show(StageFixtures.with(context, stage(Kind.TOKEN_EMBEDDING), 0, chosen,
                    SamplingSettings.PLAIN)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 2000, "selecting a token took " + millis + " ms");
            int first = panel.windowStart();
            assertTrue(ids[chosen] >= first && ids[chosen] < first + EmbeddingPanel.WINDOW_ROWS);
            assertEquals(ids[chosen] - first, panel.table().heatmap().highlightedRowProperty().get());
            assertTrue(Arrays.stream(panel.table().markedRows()).anyMatch(row -> row == ids[chosen] - first));
        }
        StageFixtures.writePng(window.getScene().getRoot(), "embedding-gpt2-window");
    }

    @Test
    void positionAddsTheLearnedRowsAndRopeSaysNothingIsAdded(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        LoadedModel learned = StageFixtures.model(StageFixtures.smallConfig(tokenizer), tokenizer, 5);
        StageContext context = StageFixtures.context(learned, "the cat sat on the mat", stage(Kind.POSITION), 0, 2,
                SamplingSettings.PLAIN, new StageFixtures.RecordingActions());
        open(robot, Kind.POSITION, context);
        for (String id : List.of("#position-x-tok", "#position-p", "#position-x")) {
            HeatmapView view = robot.lookup(id).queryAs(HeatmapView.class);
            assertEquals(context.run().tokens(), view.rowCount());
            assertEquals(2, view.highlightedRowProperty().get());
        }
        StageFixtures.writePng(window.getScene().getRoot(), "position-learned");

        ModelConfig rope = StageFixtures.smallConfig(tokenizer).withVariants(ModelConfig.Activation.GELU_TANH,
                ModelConfig.Positional.ROPE, ModelConfig.Norm.PRE_LN, true, true);
        StageContext ropeContext = StageFixtures.context(StageFixtures.model(rope, tokenizer, 6), "the cat sat",
                stage(Kind.POSITION), 0, -1, SamplingSettings.PLAIN, new StageFixtures.RecordingActions());
        open(robot, Kind.POSITION, ropeContext);
        assertTrue(robot.lookup("#position-note").queryAs(Label.class).getText().startsWith("Nothing is added"));
        assertTrue(robot.lookup("#position-p").tryQuery().isEmpty());
        StageFixtures.writePng(window.getScene().getRoot(), "position-rope");
    }

    @Test
    void allHeadsOverviewOpensTheClickedHeadAndDrawsGroupedQuerySharing(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        ModelConfig config = StageFixtures.smallConfig(tokenizer).withAttention(4, 2);
        LoadedModel model = StageFixtures.model(config, tokenizer, 7);
        StageFixtures.RecordingActions actions = new StageFixtures.RecordingActions();
        org.stepwise.pipeline.Stage softmax = org.stepwise.pipeline.Stage.of(Kind.ATTENTION_SOFTMAX, 0);
        StageContext context = StageFixtures.context(model, "the cat sat on the mat", softmax, 1, -1,
                SamplingSettings.PLAIN, actions);
        AttentionPanel panel = (AttentionPanel) open(robot, Kind.ATTENTION_SOFTMAX, context);
        HeatmapView pattern = robot.lookup("#attention-pattern").queryAs(HeatmapView.class);
        assertEquals(context.run().tokens(), pattern.rowCount());
        StageFixtures.writePng(window.getScene().getRoot(), "attention-this-head");

        robot.interact(panel::showAllHeads);
        WaitForAsyncUtils.waitForFxEvents();
        for (int layer = 0; layer < config.nLayer(); layer++) {
            for (int head = 0; head < config.nHead(); head++) {
                assertTrue(robot.lookup("#overview-l" + layer + "-h" + head).tryQuery().isPresent());
            }
        }
        assertTrue(robot.lookup("#overview-l0-h1").query().getStyleClass().contains("stage-thumbnail-current"));
        robot.clickOn("#overview-l1-h3");
        assertEquals(List.of(org.stepwise.pipeline.Stage.of(Kind.ATTENTION_SOFTMAX, 1)), actions.opened);
        assertEquals(List.of(3), actions.openedHeads);
        assertTrue(robot.lookup("#attention-sharing-caption").queryAs(Label.class).getText().contains("4 query heads share 2"));
        DMatrixRMaj firstPattern = context.run().trace().get(HookKey.of(Hook.PATTERN, 0, 0));
        assertEquals(1.0, firstPattern.get(0, 0), 1e-12);
        StageFixtures.writePng(window.getScene().getRoot(), "attention-all-heads");
    }

    @Test
    void temperatureSliderAndFiltersGiveExactlySoftmaxOfLogitsOverT(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        LoadedModel model = StageFixtures.model(StageFixtures.smallConfig(tokenizer), tokenizer, 8);
        StageFixtures.RecordingActions actions = new StageFixtures.RecordingActions();
        StageContext context = StageFixtures.context(model, "the cat sat on the", stage(Kind.OUTPUT_SOFTMAX), 0, -1,
                SamplingSettings.PLAIN, actions);
        OutputPanel panel = (OutputPanel) open(robot, Kind.OUTPUT_SOFTMAX, context);
        ProbabilityBars bars = robot.lookup("#output-bars").queryAs(ProbabilityBars.class);
        Slider slider = robot.lookup("#output-temperature").queryAs(Slider.class);
        DMatrixRMaj logits = context.run().trace().logits();                      // [T, V]
        int last = logits.numRows - 1;
        assertBarsAreSoftmax(bars, tokenizer, logits, last, 1.0, 0);
        StageFixtures.writePng(window.getScene().getRoot(), "output-t1");

        javafx.scene.Node thumb = robot.lookup("#output-temperature .thumb").query();
        robot.drag(thumb).dropBy(-90, 0);
        double temperature = actions.sampling.get(actions.sampling.size() - 1).temperature();
        assertTrue(temperature < 1.0, "dragging left lowers the temperature, got " + temperature);
        assertEquals(temperature, OutputPanel.roundedTemperature(slider.getValue()), 1e-12);
        assertBarsAreSoftmax(bars, tokenizer, logits, last, temperature, 0);

        robot.interact(() -> slider.setValue(Math.log10(3.0)));
        assertEquals(3.0, actions.sampling.get(actions.sampling.size() - 1).temperature());
        assertBarsAreSoftmax(bars, tokenizer, logits, last, 3.0, 0);
        StageFixtures.writePng(window.getScene().getRoot(), "output-t3");

        @SuppressWarnings("unchecked")
        Spinner<Integer> topK = robot.lookup("#output-top-k").queryAs(Spinner.class);
        robot.interact(() -> topK.getValueFactory().setValue(3));
        assertEquals(new SamplingSettings(3.0, 3, 1.0), actions.sampling.get(actions.sampling.size() - 1));
        assertBarsAreSoftmax(bars, tokenizer, logits, last, 3.0, 3);
        double entropy = panel.distribution().entropy();
        double expected = 0;
        for (ProbabilityBars.Bar bar : bars.getBars()) {
            expected -= bar.probability() > 0 ? bar.probability() * Math.log(bar.probability()) : 0;
        }
        assertEquals(expected, entropy, 1e-12);
        assertTrue(robot.lookup("#output-entropy").queryAs(Label.class).getText().contains(Texts.number(entropy, 3)));

        robot.clickOn("#output-most-likely");
        assertEquals(panel.distribution().mostLikely(), actions.appended.get(0));
        robot.clickOn("#output-sample");
        int sampled = actions.appended.get(1);
        assertTrue(panel.distribution().probabilities()[sampled] > 0, "a sampled token survives top-k");
        StageFixtures.writePng(window.getScene().getRoot(), "output-top-k");
    }

    /** The bars are the top tokens of softmax(logits[row]/T) (top-k kept), computed here from the logits. */
    private static void assertBarsAreSoftmax(ProbabilityBars bars, BpeTokenizer tokenizer, DMatrixRMaj logits, int row,
                                             double temperature, int topK) {
        int vocab = logits.numCols;
        double[] values = Arrays.copyOfRange(logits.data, row * vocab, (row + 1) * vocab);
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double threshold = topK == 0 ? Double.NEGATIVE_INFINITY : sorted[vocab - topK];
        double max = sorted[vocab - 1];
        double sum = 0;
        double[] expected = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            expected[v] = values[v] < threshold ? 0 : Math.exp((values[v] - max) / temperature);
            sum += expected[v];
        }
        Integer[] order = new Integer[vocab];
        for (int v = 0; v < vocab; v++) {
            expected[v] /= sum;
            order[v] = v;
        }
        Arrays.sort(order, (a, b) -> expected[a] == expected[b] ? Integer.compare(a, b) : Double.compare(expected[b], expected[a]));
        List<ProbabilityBars.Bar> shown = bars.getBars();
        assertEquals(OutputPanel.TOP_TOKENS, shown.size());
        for (int i = 0; i < shown.size(); i++) {
            int id = order[i];
            assertEquals(TokenDisplay.of(tokenizer, id).text(), shown.get(i).label());
            assertEquals(expected[id], shown.get(i).probability(), 1e-12, "bar " + i);
        }
    }

    @Test
    void parameterCountFindsAboutTwoThirdsOfGpt2sBlockWeightsInTheFfn(FxRobot robot) throws Exception {
        BpeTokenizer tokenizer = StageFixtures.bpe();
        LoadedModel small = StageFixtures.model(StageFixtures.smallConfig(tokenizer), tokenizer, 9);
        ModelConfig gpt2 = ModelConfig.gpt2Like(50257, 1024, 12, 12, 768);
        StageContext context = StageFixtures.context(small, "the cat", stage(Kind.TEXT), 0, -1, SamplingSettings.PLAIN,
                new StageFixtures.RecordingActions());
        LoadedModel gpt2Model = new LoadedModel("gpt2", gpt2, small.parameters(), Gpt2TestFolder.shared());
        StageContext gpt2Context = new StageContext(gpt2Model, small.parameters(), context.sentence(), null,
                stage(Kind.TEXT), 0, -1, SamplingSettings.PLAIN, context.messages(), context.actions());
        ParameterCountPanel panel = (ParameterCountPanel) StagePanels.parameterCount();
        place(robot, panel, gpt2Context);
        ParameterCount count = ParameterCount.of(gpt2);
        assertEquals(124_439_808L, count.total());
        String share = robot.lookup("#parameters-ffn-share").queryAs(Label.class).getText();
        assertTrue(share.contains("about two thirds") && share.contains("66.7%"), share);
        List<ProbabilityBars.Bar> bars = robot.lookup("#parameters-bars").queryAs(ProbabilityBars.class).getBars();
        double total = bars.stream().mapToDouble(ProbabilityBars.Bar::probability).sum();
        assertEquals(1.0, total, 1e-12);
        StageFixtures.writePng(window.getScene().getRoot(), "parameters-gpt2");
    }
}
