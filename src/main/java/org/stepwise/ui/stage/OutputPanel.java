package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.ResourceBundle;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import org.stepwise.model.Hook;
import org.stepwise.pipeline.OutputDistribution;
import org.stepwise.pipeline.StageView;
import org.stepwise.pipeline.TensorValues;
import org.stepwise.pipeline.TensorRef;
import org.stepwise.sample.Sampler;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.viz.Cell;
import org.stepwise.viz.FormulaView;
import org.stepwise.viz.ProbabilityBars;

/**
 * The Softmax(T) and Next token stages: the next-token probabilities of the top tokens as bars, exactly
 * {@link OutputDistribution} (softmax(logits/T) after top-k and top-p); a temperature slider on a log scale
 * from 0.05 to 5 with 1.0 marked, top-k and top-p controls, the entropy, and buttons that append a sampled
 * or the most likely token. Hovering a bar explains its probability in the window's explanation line
 * (e^((s−max)/T)/Σ with the real logits); a click pins it.
 */
final class OutputPanel implements StagePanel {

    /** How many of the most probable tokens get a bar. */
    static final int TOP_TOKENS = 10;
    /** Seed of the generator the "sample" button draws with, so a lesson can be repeated. */
    static final long SAMPLING_SEED = 20240607L;

    private final VBox root = new VBox(10);
    private final ScrollPane scroller = StagePanels.scrolling(root);
    private final Label title = new Label();
    private final FormulaView formula = new FormulaView();
    private final Label positionLine = new Label();
    private final ProbabilityBars bars = new ProbabilityBars();
    private final Label entropyLine = new Label();

    private final Label temperatureLabel = new Label();
    private final Label temperatureValue = new Label();
    private final Slider temperature = new Slider(Math.log10(TemperatureScale.LOWEST), Math.log10(TemperatureScale.HIGHEST), 0);
    private final Label topKLabel = new Label();
    private final Spinner<Integer> topK = new Spinner<>();
    private final Label topPLabel = new Label();
    private final Spinner<Double> topP = new Spinner<>();
    private final Button sample = new Button();
    private final Button mostLikely = new Button();
    private final Label picked = new Label();

    private final Sampler sampler = new Sampler();
    private final Random random;

    /** The bar under the mouse as the cell (0, token id) of the bars' probabilities; null when none. */
    private final ObjectProperty<Cell> hoveredBar = new SimpleObjectProperty<>(this, "hoveredBar");
    /** The bar a click pinned, as (0, token id); a second click on it unpins it. */
    private final ObjectProperty<Cell> pinnedBar = new SimpleObjectProperty<>(this, "pinnedBar");
    private final CellExplanations explanations = new CellExplanations();

    private StageContext context;
    private SamplingSettings settings = SamplingSettings.PLAIN;
    private OutputDistribution distribution;
    private int position = -1;
    private boolean showing;

    OutputPanel() {
        this(SAMPLING_SEED);
    }

    /** A panel whose "sample" button draws with a generator seeded with {@code seed}. */
    OutputPanel(long seed) {
        random = new Random(seed);
        root.getStyleClass().addAll("stage-panel", "stage-output");
        root.setId("stage-output");
        title.getStyleClass().add("stage-title");
        formula.setId("output-formula");
        positionLine.setId("output-position");
        positionLine.getStyleClass().add("stage-caption");
        positionLine.setWrapText(true);
        bars.setId("output-bars");
        entropyLine.setId("output-entropy");
        entropyLine.getStyleClass().add("stage-mono");
        entropyLine.setWrapText(true);

        temperature.setId("output-temperature");
        temperature.setPrefWidth(360);
        temperatureValue.setId("output-temperature-value");
        temperatureValue.getStyleClass().add("stage-mono");
        TemperatureScale scale = new TemperatureScale();
        scale.prefWidthProperty().bind(temperature.widthProperty());
        scale.maxWidthProperty().bind(temperature.widthProperty());
        VBox slider = new VBox(0, temperature, scale);
        topK.setId("output-top-k");
        topK.setEditable(true);
        topK.setPrefWidth(110);
        topP.setId("output-top-p");
        topP.setEditable(true);
        topP.setPrefWidth(110);
        topP.setValueFactory(new SpinnerValueFactory.DoubleSpinnerValueFactory(0.05, 1.0, 1.0, 0.05));
        GridPane controls = new GridPane();
        controls.setHgap(10);
        controls.setVgap(8);
        controls.addRow(0, temperatureLabel, slider, temperatureValue);
        for (Region whole : List.of(temperatureLabel, temperatureValue, topKLabel, topPLabel)) {
            whole.setMinWidth(Region.USE_PREF_SIZE);        // on a narrow stage the slider gives way, never the words
        }
        temperature.setMinWidth(120);
        controls.addRow(1, topKLabel, topK);
        controls.addRow(2, topPLabel, topP);
        controls.getStyleClass().add("stage-box");

        sample.setId("output-sample");
        mostLikely.setId("output-most-likely");
        picked.setId("output-picked");
        picked.getStyleClass().add("stage-caption");
        HBox buttons = new HBox(10, sample, mostLikely, picked);
        buttons.setAlignment(Pos.CENTER_LEFT);

        root.getChildren().addAll(title, formula, positionLine, bars, entropyLine, controls, buttons);

        temperature.valueProperty().addListener((observable, before, after) -> {
            if (!showing) {
                change(settings.withTemperature(roundedTemperature(after.doubleValue())));
            }
        });
        topK.valueProperty().addListener((observable, before, after) -> {
            if (!showing && after != null) {
                change(settings.withTopK(after));
            }
        });
        topP.valueProperty().addListener((observable, before, after) -> {
            if (!showing && after != null) {
                change(settings.withTopP(Math.max(0.01, Math.min(1.0, after))));
            }
        });
        sample.setOnAction(event -> append(sampler.sample(lastLogits(), settings, random)));
        mostLikely.setOnAction(event -> append(OutputDistribution.of(lastLogits(), settings, 1).mostLikely()));

        bars.addEventHandler(MouseEvent.MOUSE_MOVED, event -> hoveredBar.set(barCell(event.getY())));
        bars.addEventHandler(MouseEvent.MOUSE_EXITED, event -> hoveredBar.set(null));
        bars.addEventHandler(MouseEvent.MOUSE_CLICKED, event -> {
            Cell clicked = barCell(event.getY());
            if (event.getButton() == MouseButton.PRIMARY && event.isStillSincePress() && clicked != null) {
                pinnedBar.set(clicked.equals(pinnedBar.get()) ? null : clicked);
            }
        });
        explanations.attach(hoveredBar, pinnedBar, cell -> distribution == null ? null
                : new CellExplanations.TensorCell(new TensorRef.Probabilities(settings), position, cell.col()));
    }

    /**
     * The bar nearest to height {@code y} of the bars' own coordinates as the cell (0, token id), or null
     * when no bar is shown. Rows are found by the bars' tracks (style class {@code viz-bar-track}), one
     * per bar, top to bottom.
     */
    private Cell barCell(double y) {
        if (distribution == null) {
            return null;
        }
        int index = -1;
        int nearest = -1;
        double nearestDistance = Double.POSITIVE_INFINITY;
        for (Node child : bars.getChildrenUnmodifiable()) {
            if (child.getStyleClass().contains("viz-bar-track")) {
                index++;
                double distance = Math.abs(child.getBoundsInParent().getCenterY() - y);
                if (distance < nearestDistance) {
                    nearestDistance = distance;
                    nearest = index;
                }
            }
        }
        List<OutputDistribution.Candidate> top = distribution.top();
        return nearest < 0 || nearest >= top.size() ? null : new Cell(0, top.get(nearest).id());
    }

    /** 10^{@code logValue} to three significant digits: the temperature a slider position stands for. */
    static double roundedTemperature(double logValue) {
        double value = Math.pow(10, logValue);
        return new java.math.BigDecimal(value).round(new java.math.MathContext(3)).doubleValue();
    }

    @Override
    public Node node() {
        return scroller;
    }

    @Override
    public void show(StageContext newContext) {
        explanations.show(newContext, () -> draw(newContext));
    }

    private void draw(StageContext newContext) {
        boolean sameRun = context != null && context.run() == newContext.run()
                && context.messages() == newContext.messages();
        context = newContext;
        ResourceBundle messages = newContext.messages();
        title.setText(messages.getString(newContext.stage().kind().bundleKey()));
        temperatureLabel.setText(messages.getString("stage.output.temperature"));
        topKLabel.setText(messages.getString("stage.output.topK"));
        topPLabel.setText(messages.getString("stage.output.topP"));
        sample.setText(messages.getString("stage.output.sample"));
        mostLikely.setText(messages.getString("stage.output.mostLikely"));
        showing = true;
        try {
            settings = newContext.sampling();
            temperature.setValue(Math.log10(Math.max(TemperatureScale.LOWEST,
                    Math.min(TemperatureScale.HIGHEST, settings.temperature() == 0 ? TemperatureScale.LOWEST : settings.temperature()))));
            int vocab = newContext.model().config().vocabSize();
            if (topK.getValueFactory() == null || ((SpinnerValueFactory.IntegerSpinnerValueFactory) topK.getValueFactory()).getMax() != vocab) {
                topK.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, vocab, 0, 1));
            }
            topK.getValueFactory().setValue(settings.topK());
            topP.getValueFactory().setValue(settings.topP());
        } finally {
            showing = false;
        }
        if (newContext.run() == null) {
            bars.setBars(List.of());
            distribution = null;
            hoveredBar.set(null);
            positionLine.setText(messages.getString("pipeline.notice.empty"));
            entropyLine.setText("");
            sample.setDisable(true);
            mostLikely.setDisable(true);
            return;
        }
        if (!sameRun) {
            picked.setText("");
        }
        if (pinnedBar.get() != null && pinnedBar.get().col() >= newContext.model().config().vocabSize()) {
            pinnedBar.set(null);
        }
        showDistribution();
    }

    /** Shows the distribution under {@link #settings} and tells the window about the new settings. */
    private void change(SamplingSettings newSettings) {
        if (context == null || newSettings.equals(settings)) {
            return;
        }
        settings = newSettings;
        if (context.run() != null) {
            showDistribution();
        }
        explanations.refresh();
        context.actions().setSampling(newSettings);
    }

    private void showDistribution() {
        ResourceBundle messages = context.messages();
        Tokenizer tokenizer = context.model().tokenizer();
        int tokens = context.run().tokens();
        int last = tokens - 1;
        int selected = context.selectedToken();
        position = selected >= 0 && selected < tokens ? selected : last;
        StageView view = StageView.of(context.model().config(), context.stage(), 0, tokens, settings);
        formula.setLatex(view.latex());
        double[] logits = TensorValues.row(TensorRef.hook(Hook.LOGITS), position, context.run(), context.weights(),
                context.model().config());                                               // [V]
        distribution = OutputDistribution.of(logits, settings, TOP_TOKENS);
        List<ProbabilityBars.Bar> shown = new ArrayList<>(distribution.top().size());
        int best = distribution.mostLikely();
        for (OutputDistribution.Candidate candidate : distribution.top()) {
            shown.add(new ProbabilityBars.Bar(Texts.token(tokenizer, candidate.id()), candidate.probability(),
                    candidate.id() == best));
        }
        bars.setBars(shown);
        String prefixEnd = Texts.token(tokenizer, context.run().id(position));
        positionLine.setText(Texts.format(messages, position == last ? "stage.output.afterLast" : "stage.output.afterSelected",
                prefixEnd, position));
        double maximumBits = Math.log(context.model().config().vocabSize()) / Math.log(2);
        entropyLine.setText(Texts.format(messages, "stage.output.entropy", Texts.number(distribution.entropy(), 3),
                Texts.number(distribution.entropyBits(), 3), Texts.number(maximumBits, 3)));
        temperatureValue.setText(settings.isGreedy() ? messages.getString("stage.output.greedy")
                : "T = " + Texts.number(settings.temperature(), 3));
        boolean atLast = position == last;
        sample.setDisable(!atLast);
        mostLikely.setDisable(!atLast);
    }

    /** The logits of the last position, the one a new token follows. [V] */
    private double[] lastLogits() {
        return TensorValues.row(TensorRef.hook(Hook.LOGITS), context.run().tokens() - 1, context.run(),
                context.weights(), context.model().config());
    }

    private void append(int id) {
        picked.setText(Texts.format(context.messages(), "stage.output.picked", Texts.token(context.model().tokenizer(), id),
                id, Texts.number(OutputDistribution.of(lastLogits(), settings, 1).probabilities()[id], 4)));
        context.actions().appendToken(id);
    }

    /** The distribution shown now, or null when there is no sentence. */
    OutputDistribution distribution() {
        return distribution;
    }

    /** The position whose next-token distribution is shown. */
    int position() {
        return position;
    }

    /** The settings the bars were computed with. */
    SamplingSettings settings() {
        return settings;
    }
}
