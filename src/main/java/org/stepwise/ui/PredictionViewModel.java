package org.stepwise.ui;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.sample.Sampler;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.Tokenizer;

/**
 * State of the prediction panel: the sentence, its tokens and the model's next-token distribution.
 * The model is loaded and run on a background thread; only the latest sentence is ever computed, and
 * results reach the FX thread through {@link Platform#runLater}.
 */
public final class PredictionViewModel implements AutoCloseable {

    /** Where the model comes from (the bundled default, or a folder). */
    @FunctionalInterface
    public interface ModelSource {
        LoadedModel load() throws Exception;
    }

    /** One candidate next token and its probability. */
    public record Prediction(int id, String token, double probability) {
    }

    /** One token of the sentence: its id and its text as the tokenizer shows it. */
    public record TokenChip(int id, String text) {
    }

    /** How many candidates the panel lists. */
    public static final int TOP = 10;

    private final ResourceBundle messages;
    private final ModelSource source;
    private final StringProperty sentence = new SimpleStringProperty();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper modelSummary = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(false);
    private final ObservableList<TokenChip> tokens = FXCollections.observableArrayList();
    private final ObservableList<Prediction> predictions = FXCollections.observableArrayList();
    private final ObservableList<TokenChip> tokensView = FXCollections.unmodifiableObservableList(tokens);
    private final ObservableList<Prediction> predictionsView = FXCollections.unmodifiableObservableList(predictions);
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stepwise-prediction");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicReference<String> pending = new AtomicReference<>();
    private volatile LoadedModel model;
    private volatile Transformer transformer;

    public PredictionViewModel(ResourceBundle messages, ModelSource source) {
        this.messages = messages;
        this.source = source;
        sentence.set(messages.getString("prediction.defaultSentence"));
        status.set(messages.getString("status.loading"));
        sentence.addListener((obs, old, text) -> request(text));
    }

    /** Loads the model in the background, then computes the prediction for the current sentence. */
    public void start() {
        worker.execute(() -> {
            try {
                LoadedModel loaded = source.load();
                transformer = new Transformer(loaded.config(), loaded.parameters());
                model = loaded;
                ModelConfig c = loaded.config();
                String summary = I18n.format(messages, "model.summary", loaded.name(), c.nLayer(), c.nHead(),
                        c.dModel(), c.vocabSize(), loaded.parameters().count());
                Platform.runLater(() -> {
                    modelSummary.set(summary);
                    ready.set(true);
                });
                request(sentence.get());
            } catch (Exception e) {
                String message = I18n.format(messages, "error.modelLoad", String.valueOf(e.getMessage()));
                Platform.runLater(() -> status.set(message));
            }
        });
    }

    private void request(String text) {
        if (pending.getAndSet(text == null ? "" : text) == null) {
            worker.execute(this::computeLatest);
        }
    }

    /** Runs on the worker: computes only the newest sentence asked for. */
    private void computeLatest() {
        String text = pending.getAndSet(null);
        if (text == null || transformer == null) {
            return;
        }
        Tokenizer tokenizer = model.tokenizer();
        Tokenizer.Encoding encoding = tokenizer.encode(text);
        List<TokenChip> chips = new ArrayList<>();
        for (int i = 0; i < encoding.size(); i++) {
            chips.add(new TokenChip(encoding.ids()[i], encoding.tokens().get(i)));
        }
        if (encoding.size() == 0) {
            publish(chips, List.of(), messages.getString("status.emptySentence"));
            return;
        }
        int context = transformer.config().contextLength();
        int[] ids = encoding.ids();
        String note = I18n.format(messages, "status.predicted", ids.length);
        if (ids.length > context) {
            ids = java.util.Arrays.copyOfRange(ids, ids.length - context, ids.length);
            note = I18n.format(messages, "status.cropped", encoding.size(), context);
        }
        DMatrixRMaj logits = transformer.forward(ids, TraceSink.NONE);   // [T, V]
        double[] last = new double[logits.numCols];
        System.arraycopy(logits.data, (logits.numRows - 1) * logits.numCols, last, 0, logits.numCols);
        double[] probabilities = new Sampler().probabilities(last, SamplingSettings.PLAIN);
        List<Prediction> top = new ArrayList<>();
        for (int id = 0; id < probabilities.length; id++) {
            top.add(new Prediction(id, tokenizer.token(id), probabilities[id]));
        }
        top.sort(Comparator.comparingDouble(Prediction::probability).reversed());
        publish(chips, top.subList(0, Math.min(TOP, top.size())), note);
    }

    private void publish(List<TokenChip> chips, List<Prediction> top, String note) {
        List<TokenChip> chipsCopy = List.copyOf(chips);
        List<Prediction> topCopy = List.copyOf(top);
        Platform.runLater(() -> {
            tokens.setAll(chipsCopy);
            predictions.setAll(topCopy);
            status.set(note);
        });
    }

    public StringProperty sentenceProperty() {
        return sentence;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty modelSummaryProperty() {
        return modelSummary.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty readyProperty() {
        return ready.getReadOnlyProperty();
    }

    /** The sentence's tokens; one read-only view, kept for the life of the view model so listeners stay attached. */
    public ObservableList<TokenChip> tokens() {
        return tokensView;
    }

    /** The most likely next tokens, best first (one read-only view, like {@link #tokens()}). */
    public ObservableList<Prediction> predictions() {
        return predictionsView;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
