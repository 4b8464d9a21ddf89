package org.stepwise.ui.convert;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.util.StringConverter;

import org.ejml.data.DMatrixRMaj;

import org.stepwise.model.GqaConversion;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.KvCacheSize;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.train.GqaComparison;
import org.stepwise.train.TrainingSettings;
import org.stepwise.ui.ChoiceText;
import org.stepwise.ui.I18n;
import org.stepwise.ui.training.Corpus;
import org.stepwise.viz.ColorScale;
import org.stepwise.viz.HeatmapView;

/**
 * The "convert to grouped-query attention" dialog: choose how many key/value heads the model on screen keeps,
 * see the validation loss, the KV-cache size and one head's attention pattern of the sentence on screen before
 * and after the key/value heads are mean-pooled, and hand the converted model to the trainer to watch the loss
 * recover. The conversion and the losses are computed on a background thread.
 */
public final class GqaConversionDialog extends Dialog<Void> {

    /**
     * What the dialog converts.
     *
     * @param model       the model on screen (config, tokenizer, name)
     * @param weights     its current weights (the trainer's latest when it trains this model); not modified
     * @param sentenceIds the ids of the sentence on screen (may be empty)
     * @param corpus      the text whose validation samples measure the loss
     * @param settings    the trainer's settings (how many validation samples it uses)
     */
    public record Source(LoadedModel model, Parameters weights, int[] sentenceIds, Corpus corpus,
                         TrainingSettings settings) {
    }

    /** The figures and patterns of one conversion. */
    public record Outcome(GqaComparison comparison, Map<HookKey, DMatrixRMaj> patternsBefore,
                          Map<HookKey, DMatrixRMaj> patternsAfter) {
    }

    /** Width of the column of choices and figures, in pixels. */
    private static final double NUMBERS_WIDTH = 470;
    /** Width of one attention pattern, in pixels. */
    private static final double PATTERN_WIDTH = 290;

    private final ResourceBundle messages;
    private final Source source;
    private final ModelConfig config;
    private final ComboBox<Integer> kvHeads = new ComboBox<>();
    private final ComboBox<Integer> block = new ComboBox<>();
    private final ComboBox<Integer> head = new ComboBox<>();
    private final Label status = new Label();
    private final ProgressIndicator progress = new ProgressIndicator();
    private final Label kvHeadsBefore = value("gqa-kv-before");
    private final Label kvHeadsAfter = value("gqa-kv-after");
    private final Label lossBefore = value("gqa-loss-before");
    private final Label lossAfter = value("gqa-loss-after");
    private final Label cacheBefore = value("gqa-cache-before");
    private final Label cacheAfter = value("gqa-cache-after");
    private final Label contextCacheBefore = value("gqa-context-cache-before");
    private final Label contextCacheAfter = value("gqa-context-cache-after");
    private final Label saving = new Label();
    private final HeatmapView patternBefore = new HeatmapView();
    private final HeatmapView patternAfter = new HeatmapView();
    private final Button continueTraining = new Button();
    private final Label trainingReason = new Label();
    private final ReadOnlyObjectWrapper<Outcome> outcome = new ReadOnlyObjectWrapper<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stepwise-gqa-conversion");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> tokenLabels = new ArrayList<>();
    private Task<Outcome> running;

    /**
     * @param trainingOffReason why the converted model cannot be trained here (too large), or null when it can
     * @param train             takes the converted model and starts training it (called on the FX thread)
     */
    public GqaConversionDialog(ResourceBundle messages, Source source, String trainingOffReason,
            Consumer<LoadedModel> train) {
        this.messages = messages;
        this.source = source;
        this.config = source.model().config();
        setTitle(messages.getString("gqa.title"));
        Label header = new Label(I18n.format(messages, "gqa.header", source.model().name(), config.nHead(),
                config.nKvHead()));
        header.setId("gqa-header");
        header.setWrapText(true);
        header.setMaxWidth(NUMBERS_WIDTH + 20 + 2 * PATTERN_WIDTH + 16);
        setResizable(true);
        initModality(Modality.NONE);        // the class can keep it open beside the lesson and the dashboard
        getDialogPane().setId("gqa-dialog");
        getDialogPane().getStylesheets().add(
                Corpus.class.getResource("dashboard.css").toExternalForm());
        getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        for (int id : source.sentenceIds()) {
            tokenLabels.add(TokenDisplay.of(source.model().tokenizer(), id).text());
        }

        kvHeads.setId("gqa-kv-heads");
        for (int g : GqaConversion.divisors(config.nKvHead())) {
            if (g < config.nKvHead()) {
                kvHeads.getItems().add(g);
            }
        }
        kvHeads.setConverter(ChoiceText.of(count -> I18n.format(messages, "gqa.kvHeads.item", count)));
        block.setId("gqa-block");
        head.setId("gqa-head");
        for (int layer = 0; layer < config.nLayer(); layer++) {
            block.getItems().add(layer);
        }
        for (int h = 0; h < config.nHead(); h++) {
            head.getItems().add(h);
        }
        block.setConverter(oneBased("gqa.block.item"));
        head.setConverter(oneBased("gqa.head.item"));
        block.setValue(0);
        head.setValue(0);

        status.setId("gqa-status");
        status.setWrapText(true);
        status.getStyleClass().add("dashboard-caption");
        progress.setPrefSize(18, 18);
        progress.setVisible(false);
        saving.setId("gqa-saving");
        saving.setWrapText(true);
        saving.setMaxWidth(NUMBERS_WIDTH);
        trainingReason.setId("gqa-training-reason");
        trainingReason.getStyleClass().add("dashboard-warning");
        trainingReason.setWrapText(true);
        trainingReason.setMaxWidth(NUMBERS_WIDTH);

        GridPane choices = new GridPane();
        choices.setHgap(8);
        choices.setVgap(6);
        choices.addRow(0, new Label(messages.getString("gqa.kvHeads")), kvHeads);
        choices.addRow(1, new Label(messages.getString("gqa.block")), block);
        choices.addRow(2, new Label(messages.getString("gqa.head")), head);

        GridPane figures = new GridPane();
        figures.setId("gqa-figures");
        figures.setHgap(18);
        figures.setVgap(4);
        figures.addRow(0, new Label(), heading("gqa.before"), heading("gqa.after"));
        figures.addRow(1, rowName(messages.getString("gqa.row.kvHeads")), kvHeadsBefore, kvHeadsAfter);
        figures.addRow(2, rowName(I18n.format(messages, "gqa.row.loss", source.corpus().name())), lossBefore,
                lossAfter);
        figures.addRow(3, rowName(messages.getString("gqa.row.cachePerToken")), cacheBefore, cacheAfter);
        figures.addRow(4, rowName(I18n.format(messages, "gqa.row.cacheContext", config.contextLength())),
                contextCacheBefore, contextCacheAfter);
        kvHeadsBefore.setText(Integer.toString(config.nKvHead()));
        KvCacheSize before = KvCacheSize.of(config, KvCacheSize.FLOAT32_BYTES);
        cacheBefore.setText(bytes(before.bytesPerToken()));
        contextCacheBefore.setText(bytes(before.bytesFor(config.contextLength())));

        for (HeatmapView view : List.of(patternBefore, patternAfter)) {
            view.setColorScale(ColorScale.SEQUENTIAL);
            view.setRange(0, 1);
            view.setPrefSize(PATTERN_WIDTH, 300);
        }
        patternBefore.setId("gqa-pattern-before");
        patternAfter.setId("gqa-pattern-after");
        HBox patterns = new HBox(16, patternBefore, patternAfter);
        patterns.setAlignment(Pos.TOP_LEFT);
        Label patternCaption = new Label(messages.getString("gqa.patternCaption"));
        patternCaption.getStyleClass().add("dashboard-caption");
        patternCaption.setWrapText(true);
        patternCaption.setMaxWidth(2 * PATTERN_WIDTH + 16);

        continueTraining.setId("gqa-continue");
        continueTraining.setText(messages.getString("gqa.continue"));
        continueTraining.setDisable(true);
        continueTraining.setOnAction(event -> handOver(train));
        HBox statusRow = new HBox(8, progress, status);
        statusRow.setAlignment(Pos.CENTER_LEFT);
        statusRow.visibleProperty().bind(progress.visibleProperty().or(status.textProperty().isNotEmpty()));
        statusRow.managedProperty().bind(statusRow.visibleProperty());

        VBox numbers = new VBox(10, choices, statusRow, figures, saving, continueTraining, trainingReason);
        numbers.setPrefWidth(NUMBERS_WIDTH);
        numbers.setMaxWidth(NUMBERS_WIDTH);
        VBox pictures = new VBox(8, patterns, patternCaption);
        VBox content = new VBox(12, header, new HBox(20, numbers, pictures));
        content.setPadding(new Insets(10));
        getDialogPane().setContent(content);

        String noChoice = config.nKvHead() == 1 ? messages.getString("gqa.alreadyMqa") : null;
        if (noChoice != null) {
            kvHeads.setDisable(true);
            status.setText(noChoice);
            trainingReason.setText(messages.getString("gqa.continue.nothing"));
        } else if (trainingOffReason != null) {
            trainingReason.setText(I18n.format(messages, "gqa.continue.off", trainingOffReason));
        }
        trainingReason.setVisible(!trainingReason.getText().isEmpty());
        trainingReason.setManaged(trainingReason.isVisible());
        boolean trainable = noChoice == null && trainingOffReason == null;
        kvHeads.valueProperty().addListener((observable, was, now) -> convert(now, trainable));
        block.valueProperty().addListener(observable -> showPatterns());
        head.valueProperty().addListener(observable -> showPatterns());
        setOnHidden(event -> {
            if (running != null) {
                running.cancel();
            }
            worker.shutdownNow();
        });
        showPatterns();
        if (noChoice == null) {
            kvHeads.setValue(kvHeads.getItems().get(kvHeads.getItems().size() - 1));   // G = 1 unless chosen
        }
    }

    /** The figures of the conversion last shown; null while none is computed. */
    public ReadOnlyObjectProperty<Outcome> outcomeProperty() {
        return outcome.getReadOnlyProperty();
    }

    private void convert(Integer chosen, boolean trainable) {
        if (chosen == null) {
            return;
        }
        if (running != null) {
            running.cancel();
        }
        outcome.set(null);
        continueTraining.setDisable(true);
        for (Label label : List.of(kvHeadsAfter, lossBefore, lossAfter, cacheAfter, contextCacheAfter, saving)) {
            label.setText("");
        }
        progress.setVisible(true);
        status.setText(I18n.format(messages, "gqa.computing", chosen));
        int target = chosen;
        Task<Outcome> task = new Task<>() {
            @Override
            protected Outcome call() {
                GqaComparison comparison = GqaComparison.compute(config, source.weights(), target,
                        source.model().tokenizer().encode(source.corpus().text()).ids(), source.settings());
                return new Outcome(comparison, patterns(config, source.weights()),
                        patterns(comparison.converted().config(), comparison.converted().parameters()));
            }
        };
        task.setOnSucceeded(event -> {
            if (task != running) {
                return;
            }
            progress.setVisible(false);
            status.setText("");
            show(task.getValue());
            continueTraining.setDisable(!trainable);
        });
        task.setOnFailed(event -> {
            if (task != running) {
                return;
            }
            progress.setVisible(false);
            status.setText(I18n.format(messages, "gqa.failed", String.valueOf(task.getException().getMessage())));
        });
        running = task;
        worker.execute(task);
    }

    /** Every head's attention pattern [T, T] of the sentence, by hook key (none for an empty sentence). */
    private Map<HookKey, DMatrixRMaj> patterns(ModelConfig modelConfig, Parameters weights) {
        Map<HookKey, DMatrixRMaj> out = new HashMap<>();
        int[] ids = source.sentenceIds();
        if (ids.length == 0) {
            return out;
        }
        new Transformer(modelConfig, weights).forward(ids, new TraceSink() {
            @Override
            public void accept(HookKey key, DMatrixRMaj value) {
                if (key.hook() == Hook.PATTERN) {
                    out.put(key, value.copy());                                 // [T, T]
                }
            }
        });
        return out;
    }

    private void show(Outcome shown) {
        GqaComparison comparison = shown.comparison();
        ModelConfig after = comparison.converted().config();
        kvHeadsAfter.setText(Integer.toString(after.nKvHead()));
        lossBefore.setText(loss(comparison.lossBefore()));
        lossAfter.setText(loss(comparison.lossAfter()));
        long perTokenBefore = comparison.cacheBefore().bytesPerToken();
        long perTokenAfter = comparison.cacheAfter().bytesPerToken();
        cacheAfter.setText(bytes(perTokenAfter));
        contextCacheAfter.setText(bytes(comparison.cacheAfter().bytesFor(after.contextLength())));
        saving.setText(I18n.format(messages, "gqa.saving", config.nHead() / after.nKvHead(),
                String.format(Locale.ROOT, "%.0f", 100.0 * (perTokenBefore - perTokenAfter) / perTokenBefore),
                String.format(Locale.ROOT, "%+.4f", comparison.lossAfter() - comparison.lossBefore())));
        outcome.set(shown);
        showPatterns();
    }

    private void showPatterns() {
        int layer = block.getValue();
        int query = head.getValue();
        Outcome shown = outcome.get();
        int groupAfter = shown == null ? -1
                : query / (config.nHead() / shown.comparison().converted().config().nKvHead());
        patternBefore.setTitle(I18n.format(messages, "gqa.pattern.before", layer + 1, query + 1,
                query / (config.nHead() / config.nKvHead()) + 1));
        patternAfter.setTitle(groupAfter < 0 ? messages.getString("gqa.pattern.pending")
                : I18n.format(messages, "gqa.pattern.after", layer + 1, query + 1, groupAfter + 1));
        HookKey key = HookKey.of(Hook.PATTERN, layer, query);
        fill(patternBefore, shown == null ? null : shown.patternsBefore().get(key));
        fill(patternAfter, shown == null ? null : shown.patternsAfter().get(key));
    }

    /** Shows a pattern [T, T] (Not modified) with the cells a token may not look at hatched. */
    private void fill(HeatmapView view, DMatrixRMaj pattern) {
        if (pattern == null) {
            view.setValues(new double[0], 0, 0);
            return;
        }
        int tokens = pattern.numRows;
        double[] cells = new double[tokens * tokens];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                cells[i * tokens + j] = j > i ? Double.NEGATIVE_INFINITY : pattern.get(i, j);
            }
        }
        view.setValues(cells, tokens, tokens);
        view.setRowLabels(tokenLabels);
        view.setColumnLabels(tokenLabels);
        view.cellSizeProperty().set(Math.max(HeatmapView.MIN_CELL_SIZE,
                Math.min(24, Math.floor(200.0 / Math.max(1, tokens)))));
    }

    private void handOver(Consumer<LoadedModel> train) {
        Outcome shown = outcome.get();
        if (shown == null) {
            return;
        }
        GqaConversion.Result converted = shown.comparison().converted();
        LoadedModel model = new LoadedModel(I18n.format(messages, "gqa.modelName", source.model().name(),
                converted.config().nKvHead()), converted.config(), converted.parameters(), source.model().tokenizer());
        train.accept(model);
        close();
    }

    /** A loss as the dashboard shows it: four decimals. */
    public static String loss(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    /** A size in bytes, in B, KiB or MiB. */
    public static String bytes(long count) {
        if (count < 10 * 1024) {
            return count + " B";
        }
        if (count < 10L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", count / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", count / (1024.0 * 1024.0));
    }

    private static Label value(String id) {
        Label label = new Label();
        label.setId(id);
        label.setMinWidth(72);
        return label;
    }

    /** The name of a row of figures, never cut short. */
    private static Label rowName(String text) {
        Label label = new Label(text);
        label.setMinWidth(Region.USE_PREF_SIZE);
        return label;
    }

    private Label heading(String key) {
        Label label = new Label(messages.getString(key));
        label.getStyleClass().add("dashboard-section");
        return label;
    }

    /** Blocks and heads are counted from 1 on screen, as in the rest of the window. */
    private StringConverter<Integer> oneBased(String key) {
        return ChoiceText.of(index -> I18n.format(messages, key, index + 1));
    }
}
