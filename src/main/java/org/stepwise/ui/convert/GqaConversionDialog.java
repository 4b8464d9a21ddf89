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

import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.GqaConversion;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.KvCacheSize;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.train.GqaComparison;
import org.stepwise.train.ParallelCorpus;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.TranslationGqaComparison;
import org.stepwise.ui.ChoiceText;
import org.stepwise.ui.I18n;
import org.stepwise.ui.training.Corpus;
import org.stepwise.viz.ColorScale;
import org.stepwise.viz.HeatmapView;

/**
 * The "convert to grouped-query attention" dialog: choose how many key/value heads the model on screen keeps,
 * see the loss, the KV-cache size and one head's attention pattern of the sentence on screen before and after the
 * key/value heads are mean-pooled, and hand the converted model to the trainer to watch the loss recover. For a text
 * model the loss is the validation loss of its corpus and the pattern its self-attention; for a translation model
 * the loss is that of the held-back sentence pairs, the pattern a decoder block's cross-attention (target tokens
 * looking at source tokens), and the cache both the decoder's self-attention cache (per target token) and its
 * cross-attention cache (per source token). The conversion and the losses are computed on a background thread.
 */
public final class GqaConversionDialog extends Dialog<Void> {

    /**
     * What the dialog converts for a text (decoder-only) model.
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

    /**
     * What the dialog converts for a translation (encoder-decoder) model.
     *
     * @param model     the translation model on screen (config, tokenizers, name)
     * @param weights   its current weights (the trainer's latest when it trains this model); not modified
     * @param sourceIds the source sentence on screen as ids [S] (may be empty: no pattern then)
     * @param targetIds the decoder's input on screen [T], the start id first (may be empty: no pattern then)
     * @param pairsName what the held-back pairs are called, in the user's language
     * @param pairs     the held-back sentence pairs the loss is measured on
     */
    public record TranslationSource(LoadedEncoderDecoder model, Parameters weights, int[] sourceIds, int[] targetIds,
                                    String pairsName, ParallelCorpus pairs) {
    }

    /**
     * The figures and patterns of one conversion.
     *
     * @param lossBefore     the loss of the model as it was (validation loss, or the held-back pairs' loss)
     * @param lossAfter      the same for the converted model
     * @param kvHeadsAfter   key/value heads of the converted model
     * @param patternsBefore every head's attention pattern shown, by hook key ([T, T] self-attention of a text model,
     *                       [T, S] cross-attention of a translation model)
     * @param patternsAfter  the same for the converted model
     */
    public record Outcome(double lossBefore, double lossAfter, int kvHeadsAfter,
                          Map<HookKey, DMatrixRMaj> patternsBefore, Map<HookKey, DMatrixRMaj> patternsAfter) {
    }

    /** One conversion's figures and what hands the converted model over (called on the FX thread). */
    private record Computed(Outcome outcome, Runnable handOver) {
    }

    /** What differs between converting a text model and a translation model. */
    private interface Subject {
        String name();

        int heads();

        int kvHeads();

        /** Blocks whose pattern can be shown. */
        int blocks();

        /** The hook of the pattern shown. */
        Hook patternHook();

        /** True when a token may not look at later tokens (the hatched cells of a self-attention pattern). */
        boolean causal();

        List<String> rowLabels();

        List<String> columnLabels();

        String lossRowName();

        /** Ids of the label pairs of the cache rows (before, after). */
        List<String> cacheRowIds();

        List<String> cacheRowNames();

        /** Bytes of each cache row with {@code kvHeads} key/value heads. */
        long[] cacheBytes(int kvHeads);

        /** Converts and measures (off the FX thread). */
        Computed compute(int kvHeads, Consumer<Object> train);
    }

    /** Width of the column of choices and figures, in pixels. */
    private static final double NUMBERS_WIDTH = 470;
    /** Width of one attention pattern, in pixels. */
    private static final double PATTERN_WIDTH = 290;

    private final ResourceBundle messages;
    private final Subject subject;
    private final ComboBox<Integer> kvHeads = new ComboBox<>();
    private final ComboBox<Integer> block = new ComboBox<>();
    private final ComboBox<Integer> head = new ComboBox<>();
    private final Label status = new Label();
    private final ProgressIndicator progress = new ProgressIndicator();
    private final Label kvHeadsBefore = value("gqa-kv-before");
    private final Label kvHeadsAfter = value("gqa-kv-after");
    private final Label lossBefore = value("gqa-loss-before");
    private final Label lossAfter = value("gqa-loss-after");
    private final List<Label> cachesBefore = new ArrayList<>();
    private final List<Label> cachesAfter = new ArrayList<>();
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
    private Task<Computed> running;
    private Runnable handOver;

    /**
     * A dialog on a text model.
     *
     * @param trainingOffReason why the converted model cannot be trained here (too large), or null when it can
     * @param train             takes the converted model and starts training it (called on the FX thread)
     */
    public GqaConversionDialog(ResourceBundle messages, Source source, String trainingOffReason,
            Consumer<LoadedModel> train) {
        this(messages, new TextSubject(messages, source), trainingOffReason, converted -> train.accept((LoadedModel) converted));
    }

    /**
     * A dialog on a translation model.
     *
     * @param trainingOffReason why the converted model cannot be trained here, or null when it can
     * @param train             takes the converted model and starts training it (called on the FX thread)
     */
    public GqaConversionDialog(ResourceBundle messages, TranslationSource source, String trainingOffReason,
            Consumer<LoadedEncoderDecoder> train) {
        this(messages, new TranslationSubject(messages, source), trainingOffReason,
                converted -> train.accept((LoadedEncoderDecoder) converted));
    }

    private GqaConversionDialog(ResourceBundle messages, Subject subject, String trainingOffReason,
            Consumer<Object> train) {
        this.messages = messages;
        this.subject = subject;
        setTitle(messages.getString("gqa.title"));
        Label header = new Label(I18n.format(messages, "gqa.header", subject.name(), subject.heads(),
                subject.kvHeads()));
        header.setId("gqa-header");
        header.setWrapText(true);
        header.setMaxWidth(NUMBERS_WIDTH + 20 + 2 * PATTERN_WIDTH + 16);
        setResizable(true);
        initModality(Modality.NONE);        // the class can keep it open beside the lesson and the dashboard
        getDialogPane().setId("gqa-dialog");
        getDialogPane().getStylesheets().add(
                Corpus.class.getResource("dashboard.css").toExternalForm());
        getDialogPane().getButtonTypes().add(ButtonType.CLOSE);

        kvHeads.setId("gqa-kv-heads");
        for (int g : GqaConversion.divisors(subject.kvHeads())) {
            if (g < subject.kvHeads()) {
                kvHeads.getItems().add(g);
            }
        }
        kvHeads.setConverter(ChoiceText.of(count -> I18n.format(messages, "gqa.kvHeads.item", count)));
        block.setId("gqa-block");
        head.setId("gqa-head");
        for (int layer = 0; layer < subject.blocks(); layer++) {
            block.getItems().add(layer);
        }
        for (int h = 0; h < subject.heads(); h++) {
            head.getItems().add(h);
        }
        boolean cross = subject.patternHook() == Hook.CROSS_PATTERN;
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
        choices.addRow(1, new Label(messages.getString(cross ? "gqa.cross.block" : "gqa.block")), block);
        choices.addRow(2, new Label(messages.getString("gqa.head")), head);

        GridPane figures = new GridPane();
        figures.setId("gqa-figures");
        figures.setHgap(18);
        figures.setVgap(4);
        figures.addRow(0, new Label(), heading("gqa.before"), heading("gqa.after"));
        figures.addRow(1, rowName(messages.getString("gqa.row.kvHeads")), kvHeadsBefore, kvHeadsAfter);
        figures.addRow(2, rowName(subject.lossRowName()), lossBefore, lossAfter);
        kvHeadsBefore.setText(Integer.toString(subject.kvHeads()));
        long[] before = subject.cacheBytes(subject.kvHeads());
        for (int row = 0; row < subject.cacheRowIds().size(); row++) {
            String id = subject.cacheRowIds().get(row);
            Label valueBefore = value(id + "-before");
            Label valueAfter = value(id + "-after");
            valueBefore.setText(bytes(before[row]));
            cachesBefore.add(valueBefore);
            cachesAfter.add(valueAfter);
            figures.addRow(3 + row, rowName(subject.cacheRowNames().get(row)), valueBefore, valueAfter);
        }

        for (HeatmapView view : List.of(patternBefore, patternAfter)) {
            view.setColorScale(ColorScale.SEQUENTIAL);
            view.setRange(0, 1);
            view.setPrefSize(PATTERN_WIDTH, 300);
        }
        patternBefore.setId("gqa-pattern-before");
        patternAfter.setId("gqa-pattern-after");
        HBox patterns = new HBox(16, patternBefore, patternAfter);
        patterns.setAlignment(Pos.TOP_LEFT);
        Label patternCaption = new Label(messages.getString(cross ? "gqa.cross.patternCaption" : "gqa.patternCaption"));
        patternCaption.setId("gqa-pattern-caption");
        patternCaption.getStyleClass().add("dashboard-caption");
        patternCaption.setWrapText(true);
        patternCaption.setMaxWidth(2 * PATTERN_WIDTH + 16);

        continueTraining.setId("gqa-continue");
        continueTraining.setText(messages.getString("gqa.continue"));
        continueTraining.setDisable(true);
        continueTraining.setOnAction(event -> handOver());
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

        String noChoice = subject.kvHeads() == 1 ? messages.getString("gqa.alreadyMqa") : null;
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
        kvHeads.valueProperty().addListener((observable, was, now) -> convert(now, trainable, train));
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

    private void convert(Integer chosen, boolean trainable, Consumer<Object> train) {
        if (chosen == null) {
            return;
        }
        if (running != null) {
            running.cancel();
        }
        outcome.set(null);
        handOver = null;
        continueTraining.setDisable(true);
        kvHeadsAfter.setText("");
        lossBefore.setText("");
        lossAfter.setText("");
        saving.setText("");
        cachesAfter.forEach(label -> label.setText(""));
        progress.setVisible(true);
        status.setText(I18n.format(messages, "gqa.computing", chosen));
        int target = chosen;
        Task<Computed> task = new Task<>() {
            @Override
            protected Computed call() {
                return subject.compute(target, train);
            }
        };
        task.setOnSucceeded(event -> {
            if (task != running) {
                return;
            }
            progress.setVisible(false);
            status.setText("");
            handOver = task.getValue().handOver();
            show(task.getValue().outcome());
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

    private void show(Outcome shown) {
        kvHeadsAfter.setText(Integer.toString(shown.kvHeadsAfter()));
        lossBefore.setText(loss(shown.lossBefore()));
        lossAfter.setText(loss(shown.lossAfter()));
        long[] before = subject.cacheBytes(subject.kvHeads());
        long[] after = subject.cacheBytes(shown.kvHeadsAfter());
        for (int row = 0; row < after.length; row++) {
            cachesAfter.get(row).setText(bytes(after[row]));
        }
        saving.setText(I18n.format(messages, "gqa.saving", subject.heads() / shown.kvHeadsAfter(),
                String.format(Locale.ROOT, "%.0f", 100.0 * (before[0] - after[0]) / before[0]),
                String.format(Locale.ROOT, "%+.4f", shown.lossAfter() - shown.lossBefore())));
        outcome.set(shown);
        showPatterns();
        growToContent();
    }

    /** Widens the dialog when the figures and patterns just shown need more room than it has (never narrows it). */
    private void growToContent() {
        javafx.stage.Window window = getDialogPane().getScene() == null ? null : getDialogPane().getScene().getWindow();
        if (window == null) {
            return;
        }
        getDialogPane().applyCss();
        getDialogPane().layout();
        double wanted = getDialogPane().prefWidth(-1);
        double have = getDialogPane().getWidth();
        if (wanted > have) {
            window.setWidth(window.getWidth() + wanted - have);
        }
    }

    private void showPatterns() {
        int layer = block.getValue();
        int query = head.getValue();
        Outcome shown = outcome.get();
        int groupAfter = shown == null ? -1 : query / (subject.heads() / shown.kvHeadsAfter());
        patternBefore.setTitle(I18n.format(messages, "gqa.pattern.before", layer + 1, query + 1,
                query / (subject.heads() / subject.kvHeads()) + 1));
        patternAfter.setTitle(groupAfter < 0 ? messages.getString("gqa.pattern.pending")
                : I18n.format(messages, "gqa.pattern.after", layer + 1, query + 1, groupAfter + 1));
        HookKey key = HookKey.of(subject.patternHook(), layer, query);
        fill(patternBefore, shown == null ? null : shown.patternsBefore().get(key));
        fill(patternAfter, shown == null ? null : shown.patternsAfter().get(key));
    }

    /** Shows a pattern [T, S] (Not modified); for self-attention the cells a token may not look at are hatched. */
    private void fill(HeatmapView view, DMatrixRMaj pattern) {
        if (pattern == null) {
            view.setValues(new double[0], 0, 0);
            return;
        }
        int rows = pattern.numRows;
        int columns = pattern.numCols;
        double[] cells = new double[rows * columns];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                cells[i * columns + j] = subject.causal() && j > i ? Double.NEGATIVE_INFINITY : pattern.get(i, j);
            }
        }
        view.setValues(cells, rows, columns);
        view.setRowLabels(subject.rowLabels());
        view.setColumnLabels(subject.columnLabels());
        view.cellSizeProperty().set(Math.max(HeatmapView.MIN_CELL_SIZE,
                Math.min(24, Math.floor(200.0 / Math.max(1, Math.max(rows, columns))))));
    }

    private void handOver() {
        if (outcome.get() == null || handOver == null) {
            return;
        }
        handOver.run();
        close();
    }

    /** A text model: validation loss of its corpus, self-attention patterns, one cache. */
    private static final class TextSubject implements Subject {
        private final ResourceBundle messages;
        private final Source source;
        private final ModelConfig config;
        private final List<String> tokenLabels = new ArrayList<>();

        TextSubject(ResourceBundle messages, Source source) {
            this.messages = messages;
            this.source = source;
            this.config = source.model().config();
            for (int id : source.sentenceIds()) {
                tokenLabels.add(TokenDisplay.of(source.model().tokenizer(), id).text());
            }
        }

        @Override
        public String name() {
            return source.model().name();
        }

        @Override
        public int heads() {
            return config.nHead();
        }

        @Override
        public int kvHeads() {
            return config.nKvHead();
        }

        @Override
        public int blocks() {
            return config.nLayer();
        }

        @Override
        public Hook patternHook() {
            return Hook.PATTERN;
        }

        @Override
        public boolean causal() {
            return true;
        }

        @Override
        public List<String> rowLabels() {
            return tokenLabels;
        }

        @Override
        public List<String> columnLabels() {
            return tokenLabels;
        }

        @Override
        public String lossRowName() {
            return I18n.format(messages, "gqa.row.loss", source.corpus().name());
        }

        @Override
        public List<String> cacheRowIds() {
            return List.of("gqa-cache", "gqa-context-cache");
        }

        @Override
        public List<String> cacheRowNames() {
            return List.of(messages.getString("gqa.row.cachePerToken"),
                    I18n.format(messages, "gqa.row.cacheContext", config.contextLength()));
        }

        @Override
        public long[] cacheBytes(int kvHeadCount) {
            KvCacheSize cache = new KvCacheSize(config.nLayer(), kvHeadCount, config.headDim(),
                    KvCacheSize.FLOAT32_BYTES);
            return new long[] {cache.bytesPerToken(), cache.bytesFor(config.contextLength())};
        }

        @Override
        public Computed compute(int kvHeadCount, Consumer<Object> train) {
            GqaComparison comparison = GqaComparison.compute(config, source.weights(), kvHeadCount,
                    source.model().tokenizer().encode(source.corpus().text()).ids(), source.settings());
            GqaConversion.Result converted = comparison.converted();
            Outcome outcome = new Outcome(comparison.lossBefore(), comparison.lossAfter(), converted.config().nKvHead(),
                    patterns(config, source.weights()), patterns(converted.config(), converted.parameters()));
            LoadedModel model = new LoadedModel(I18n.format(messages, "gqa.modelName", source.model().name(),
                    converted.config().nKvHead()), converted.config(), converted.parameters(), source.model().tokenizer());
            return new Computed(outcome, () -> train.accept(model));
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
    }

    /**
     * A translation model: the loss of the held-back pairs, a decoder block's cross-attention patterns, and the
     * decoder's two caches (self-attention per target token, cross-attention per source token).
     */
    private static final class TranslationSubject implements Subject {
        private final ResourceBundle messages;
        private final TranslationSource source;
        private final EncoderDecoderConfig config;
        private final List<String> targetLabels = new ArrayList<>();
        private final List<String> sourceLabels = new ArrayList<>();

        TranslationSubject(ResourceBundle messages, TranslationSource source) {
            this.messages = messages;
            this.source = source;
            this.config = source.model().config();
            for (int id : source.targetIds()) {
                targetLabels.add(TokenDisplay.of(source.model().targetTokenizer(), id).text());
            }
            for (int id : source.sourceIds()) {
                sourceLabels.add(TokenDisplay.of(source.model().sourceTokenizer(), id).text());
            }
        }

        @Override
        public String name() {
            return source.model().name();
        }

        @Override
        public int heads() {
            return config.shared().nHead();
        }

        @Override
        public int kvHeads() {
            return config.shared().nKvHead();
        }

        @Override
        public int blocks() {
            return config.nDecoderLayer();
        }

        @Override
        public Hook patternHook() {
            return Hook.CROSS_PATTERN;
        }

        @Override
        public boolean causal() {
            return false;
        }

        @Override
        public List<String> rowLabels() {
            return targetLabels;
        }

        @Override
        public List<String> columnLabels() {
            return sourceLabels;
        }

        @Override
        public String lossRowName() {
            return I18n.format(messages, "gqa.row.pairsLoss", source.pairsName(), source.pairs().size());
        }

        @Override
        public List<String> cacheRowIds() {
            return List.of("gqa-cache", "gqa-cross-cache", "gqa-context-cache");
        }

        @Override
        public List<String> cacheRowNames() {
            return List.of(messages.getString("gqa.row.selfCache"), messages.getString("gqa.row.crossCache"),
                    I18n.format(messages, "gqa.row.bothCaches", config.shared().contextLength()));
        }

        /** Self-attention per target token, cross-attention per source token, both over a whole context each. */
        @Override
        public long[] cacheBytes(int kvHeadCount) {
            KvCacheSize cache = new KvCacheSize(config.nDecoderLayer(), kvHeadCount, config.shared().headDim(),
                    KvCacheSize.FLOAT32_BYTES);
            int context = config.shared().contextLength();
            return new long[] {cache.bytesPerToken(), cache.bytesPerToken(), 2 * cache.bytesFor(context)};
        }

        @Override
        public Computed compute(int kvHeadCount, Consumer<Object> train) {
            LoadedEncoderDecoder shown = source.model();
            LoadedEncoderDecoder measured = new LoadedEncoderDecoder(shown.name(), config, source.weights(),
                    shown.sourceTokenizer(), shown.targetTokenizer(), shown.lowercaseSource());
            TranslationGqaComparison comparison = TranslationGqaComparison.compute(measured, kvHeadCount,
                    source.pairs());
            GqaConversion.EncoderDecoderResult converted = comparison.converted();
            Outcome outcome = new Outcome(comparison.lossBefore(), comparison.lossAfter(),
                    converted.config().shared().nKvHead(), patterns(config, source.weights()),
                    patterns(converted.config(), converted.parameters()));
            LoadedEncoderDecoder model = new LoadedEncoderDecoder(I18n.format(messages, "gqa.modelName", shown.name(),
                    converted.config().shared().nKvHead()), converted.config(), converted.parameters(),
                    shown.sourceTokenizer(), shown.targetTokenizer(), shown.lowercaseSource());
            return new Computed(outcome, () -> train.accept(model));
        }

        /** Every decoder head's cross-attention pattern [T, S] of the sentences, by hook key (none without both). */
        private Map<HookKey, DMatrixRMaj> patterns(EncoderDecoderConfig modelConfig, Parameters weights) {
            Map<HookKey, DMatrixRMaj> out = new HashMap<>();
            if (source.sourceIds().length == 0 || source.targetIds().length == 0) {
                return out;
            }
            new EncoderDecoder(modelConfig, weights).forward(source.sourceIds(), source.targetIds(), new TraceSink() {
                @Override
                public void accept(HookKey key, DMatrixRMaj value) {
                    if (key.hook() == Hook.CROSS_PATTERN) {
                        out.put(HookKey.of(Hook.CROSS_PATTERN, key.layer(), key.head()), value.copy());   // [T, S]
                    }
                }
            });
            return out;
        }
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
